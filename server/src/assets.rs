//! The site's static files, held in memory and answered without the
//! session, the page machinery or compression on each request.
//!
//! The build (`scripts/lib/precompress.mjs`) writes a `.br` and a `.gz`
//! beside each file; both are read at start and sent to a browser that
//! accepts them. A file without them is sent as it is (and the response
//! compression layer compresses it, as for any answer).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

/// Hashed names may be kept for a year; a name that stays the same across
/// releases (the favicon, the router guard) is checked each time, cheaply
/// (its ETag answers 304).
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// One file in each encoding the build made for it.
struct Asset {
    content_type: &'static str,
    cache: &'static str,
    /// `"<content hash>"`; each encoding's ETag adds its name.
    tag: String,
    identity: Bytes,
    br: Option<Bytes>,
    gzip: Option<Bytes>,
}

/// Every file, by URL path.
#[derive(Clone, Default)]
pub struct Assets(Arc<HashMap<String, Asset>>);

impl Assets {
    /// Reads `pkg_dir` and `vendor` under `site_root` (hashed names, kept
    /// for a year when `hashed`) and the files at its top (revalidated).
    /// Missing folders are simply empty: a test server has no site.
    pub fn load(site_root: &Path, pkg_dir: &str, hashed: bool) -> std::io::Result<Assets> {
        let long = if hashed { IMMUTABLE } else { REVALIDATE };
        let mut files = HashMap::new();
        for (dir, cache, deep) in [
            (
                pkg_dir,
                if hashed {
                    Cache::IfNamedByContent
                } else {
                    Cache::Always(REVALIDATE)
                },
                true,
            ),
            ("vendor", Cache::Always(long), true),
            ("", Cache::Always(REVALIDATE), false),
        ] {
            read_dir(&site_root.join(dir), &format!("/{dir}"), cache, deep, &mut files)?;
        }
        tracing::debug!(files = files.len(), "static files loaded");
        Ok(Assets(Arc::new(files)))
    }

    /// The routes: every top-level file by name, and everything under the
    /// two folders (an unknown name there is a 404 that is not cached).
    pub fn routes<S: Clone + Send + Sync + 'static>(&self, pkg_dir: &str) -> Router<S> {
        let mut router = Router::new()
            .route(&format!("/{pkg_dir}/{{*path}}"), get(serve))
            .route("/vendor/{*path}", get(serve));
        for path in self
            .0
            .keys()
            .filter(|p| p.rfind('/') == Some(0) && p.contains('.'))
        {
            router = router.route(path, get(serve));
        }
        router.with_state(self.clone())
    }
}

/// How long a folder's files may be kept.
#[derive(Clone, Copy)]
enum Cache {
    Always(&'static str),
    /// A year if the hash in the file's name is its content's, else
    /// revalidated. cargo leptos names each file by the MD5 of what it
    /// wrote, then (with `--split`) rewrites the main JavaScript and the
    /// modules that import the split loader to use the loader's final name:
    /// their contents can change under the same name.
    IfNamedByContent,
}

/// The base64url MD5 of `content`: cargo leptos's hash, and the ETag.
fn content_hash(content: &[u8]) -> String {
    use base64::Engine;
    use md5::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(md5::Md5::digest(content))
}

/// Whether a dot-separated part of `name` is `hash`.
fn named_by(name: &str, hash: &str) -> bool {
    name.split('.').any(|part| part == hash)
}

fn read_dir(
    dir: &Path,
    prefix: &str,
    cache: Cache,
    deep: bool,
    files: &mut HashMap<String, Asset>,
) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let url = format!("{}/{name}", prefix.trim_end_matches('/'));
        if entry.file_type()?.is_dir() {
            if deep {
                read_dir(&path, &url, cache, deep, files)?;
            }
            continue;
        }
        if name.ends_with(".br") || name.ends_with(".gz") {
            continue;
        }
        let identity = Bytes::from(std::fs::read(&path)?);
        let beside = |ext: &str| -> std::io::Result<Option<Bytes>> {
            let variant = dir.join(format!("{name}.{ext}"));
            // A variant older than its file is from an earlier build.
            let fresh = match (variant.metadata(), path.metadata()) {
                (Ok(v), Ok(f)) => v.modified()? >= f.modified()?,
                _ => false,
            };
            Ok(if fresh {
                Some(Bytes::from(std::fs::read(&variant)?))
            } else {
                None
            })
        };
        let hash = content_hash(&identity);
        let cache = match cache {
            Cache::Always(cache) => cache,
            Cache::IfNamedByContent if named_by(&name, &hash) => IMMUTABLE,
            Cache::IfNamedByContent => REVALIDATE,
        };
        files.insert(
            url,
            Asset {
                content_type: content_type(&name),
                cache,
                tag: hash,
                br: beside("br")?,
                gzip: beside("gz")?,
                identity,
            },
        );
    }
    Ok(())
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "json" | "map" => "application/json",
        "txt" | "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Which encodings the browser takes (`q=0` refuses one).
fn accepts(headers: &HeaderMap, encoding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (name.eq_ignore_ascii_case(encoding) || name == "*") && !refused
        })
}

async fn serve(State(assets): State<Assets>, request: Request) -> Response {
    let Some(asset) = assets.0.get(request.uri().path()) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, "no-store")],
            "No such file.",
        )
            .into_response();
    };
    let headers = request.headers();
    let (body, encoding) = match (&asset.br, &asset.gzip) {
        (Some(br), _) if accepts(headers, "br") => (br.clone(), Some("br")),
        (_, Some(gz)) if accepts(headers, "gzip") => (gz.clone(), Some("gzip")),
        _ => (asset.identity.clone(), None),
    };
    let etag = format!("\"{}-{}\"", asset.tag, encoding.unwrap_or("identity"));
    let matched = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if matched {
        Response::builder().status(StatusCode::NOT_MODIFIED)
    } else {
        Response::builder()
            .header(header::CONTENT_TYPE, asset.content_type)
            .header(header::CONTENT_LENGTH, body.len())
    };
    if let Some(encoding) = encoding {
        response = response.header(header::CONTENT_ENCODING, encoding);
    }
    // (A HEAD request's body is dropped by the router.)
    let body = if matched { Body::empty() } else { Body::from(body) };
    response
        .header(header::VARY, HeaderValue::from_static("accept-encoding"))
        .header(header::ETAG, etag)
        .header(header::CACHE_CONTROL, asset.cache)
        .body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_taken_as_the_browser_lists_them() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, deflate, br;q=0.9"),
        );
        assert!(accepts(&headers, "br") && accepts(&headers, "gzip"));
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, br;q=0"));
        assert!(!accepts(&headers, "br"));
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        assert!(!accepts(&headers, "gzip"));
        assert!(!accepts(&HeaderMap::new(), "br"));
    }

    #[test]
    fn only_a_file_named_by_its_content_is_kept_for_a_year() {
        let content = b"export function hydrate() {}";
        // md5, base64url without padding, as cargo leptos names files.
        let named = "ksf.gDLh-1Lt5VjpQCegxs-KlA.js";
        assert!(named_by(named, &content_hash(content)));
        // Rewritten after naming (the split loader's final name).
        assert!(!named_by(named, &content_hash(b"export function hydrate() { }")));
        assert!(!named_by("snippets.js", &content_hash(content)));
    }
}
