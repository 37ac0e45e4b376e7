//! Each site's directory: `<sites>/<account id>/current`, a link to the
//! release being served (see `releases`). A site without one gets the
//! default page as its first release, so it answers at once.

use std::path::{Path, PathBuf};

use domain::sites::SiteState;

/// The directory Caddy serves for `site`.
pub fn current(sites: &Path, site: &SiteState) -> PathBuf {
    sites.join(site.id.to_string()).join("current")
}

/// Makes sure `site` has its default page (`releases/default`) and a
/// release to serve (the default page when it has none). Answers whether
/// anything was written.
pub fn ensure(sites: &Path, site: &SiteState, portal: &str) -> std::io::Result<bool> {
    let default = crate::releases::site_dir(sites, site)
        .join("releases")
        .join("default");
    let mut wrote = false;
    if !default.join("index.html").exists() {
        std::fs::create_dir_all(&default)?;
        std::fs::write(default.join("index.html"), default_page(&site.name, portal))?;
        wrote = true;
    }
    // A missing link, or one whose release is gone, serves the default.
    if !current(sites, site).exists() {
        crate::releases::switch(sites, site, "default")?;
        wrote = true;
    }
    Ok(wrote)
}

/// The page a new site shows until its files are uploaded.
pub fn default_page(account: &str, portal: &str) -> String {
    let name = escape(account);
    let portal = escape(portal);
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2933}}a{{color:#1d4ed8}}</style>
</head><body>
<h1>{name}</h1>
<p>This site is hosted by KSFoundation Hosting. Its owner has not uploaded any files yet.</p>
<p>Is it yours? Upload your files in <a href="{portal}">the portal</a>.</p>
</body></html>
"#
    )
}

/// The page a suspended site shows (with a 503).
pub fn suspension_page() -> &'static str {
    r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Site suspended</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2933}</style>
</head><body>
<h1>This site is suspended</h1>
<p>This site, hosted by KSFoundation Hosting, is not available at the moment. If it is yours, sign in to the portal to see why.</p>
</body></html>
"#
}

/// The page a site shows (with a 503) once it has served its plan's
/// bandwidth for the month.
pub fn bandwidth_page() -> &'static str {
    r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Site paused</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2933}</style>
</head><body>
<h1>This site is paused until next month</h1>
<p>This site, hosted by KSFoundation Hosting, has used its bandwidth for this month. If it is yours, sign in to the portal to choose a bigger plan and it comes back at once.</p>
</body></html>
"#
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_page_escapes_the_account_name() {
        let page = super::default_page("<b>Shop</b> & \"Co\"", "https://portal.example");
        assert!(page.contains("&lt;b&gt;Shop&lt;/b&gt; &amp; &quot;Co&quot;"));
        assert!(!page.contains("<b>Shop"));
    }
}
