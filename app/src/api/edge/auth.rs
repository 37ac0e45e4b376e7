//! Who is asking. Middleware resolves the client's address (through
//! trusted proxies) and the session cookie once per request; handlers and
//! server functions then take one extractor for the acting user:
//! [`Actor`] (signed in), [`Staff`] (signed-in staff) or [`Visitor`]
//! (anyone, for the public forms). A missing or ended session becomes the
//! redirect to sign in (forms, pages) or 401 (server functions) here, and
//! nowhere else.

#[cfg(feature = "ssr")]
use leptos::prelude::*;

use domain::CurrentUser;

/// The signed-in user of the request being rendered (server side), put in
/// the request by the session middleware. In the browser there is none:
/// pages render on the server.
pub fn current_user() -> Option<CurrentUser> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<CurrentUser>().cloned())
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// Whether the signed-in user authenticated recently enough for sensitive
/// changes (step-up), judged on the server while rendering.
pub fn recently_authenticated(user: &CurrentUser) -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<crate::api::AppState>()
            .is_some_and(|s| services::step_up::is_fresh(user, s.deps.clock.now()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = user;
        false
    }
}

/// For pages that need a signed-in user: the user, or a redirect to the
/// sign-in page that comes back here afterwards.
pub fn require_user() -> Option<CurrentUser> {
    let user = current_user();
    #[cfg(feature = "ssr")]
    if user.is_none() {
        let here = use_context::<http::request::Parts>()
            .and_then(|p| p.uri.path_and_query().map(|pq| pq.as_str().to_string()))
            .unwrap_or_else(|| "/".into());
        // Set the status ourselves: `leptos_axum::redirect` only does for
        // requests that accept HTML, and the islands router's fetches don't
        // say so.
        if let (Some(response), Ok(location)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(&super::forms::sign_in_path(&here)),
        ) {
            response.set_status(http::StatusCode::FOUND);
            response.insert_header(http::header::LOCATION, location);
        }
    }
    user
}

#[cfg(feature = "ssr")]
pub use edge::*;

#[cfg(feature = "ssr")]
mod edge {
    use std::net::{IpAddr, SocketAddr};

    use axum::{
        extract::{ConnectInfo, FromRequestParts, Request, State},
        http::{header, request::Parts, HeaderMap, Method, StatusCode},
        middleware::Next,
        response::{IntoResponse, Response},
    };
    use ipnet::IpNet;

    use crate::api::edge::error::{ApiError, Back, FormError};
    use crate::api::edge::forms::{see_other, sign_in_path};
    use crate::api::AppState;
    use domain::{CurrentUser, Role};
    use services::failure::Failure;
    use services::rate_limit::network_key;
    use services::{sessions, Deps};
    pub use services::{Actor, ClientInfo, Visitor};

    /// The client's address: the peer, or — when the peer is one of
    /// `KSF_TRUSTED_PROXIES` — the nearest untrusted hop of
    /// `X-Forwarded-For`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct ClientAddr(pub IpAddr);

    fn trusted(ip: IpAddr, proxies: &[IpNet]) -> bool {
        proxies.iter().any(|net| net.contains(&ip))
    }

    /// Who sent a request that reached us from `peer`. Headers are believed
    /// only from trusted proxies, and only up to the first hop that is not
    /// one (anything to its left was written by the client itself).
    pub fn forwarded_client(peer: IpAddr, headers: &HeaderMap, proxies: &[IpNet]) -> IpAddr {
        let peer = peer.to_canonical();
        if !trusted(peer, proxies) {
            return peer;
        }
        let hops: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
            .map(|ip| ip.to_canonical())
            .collect();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            client = hop;
            if !trusted(hop, proxies) {
                break;
            }
        }
        client
    }

    /// Puts the client's address in the request, for limits and logs.
    pub async fn client_address(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if let Some(peer) = peer {
            let client = forwarded_client(peer, request.headers(), &state.settings.trusted_proxies);
            request.extensions_mut().insert(ClientAddr(client));
        }
        next.run(request).await
    }

    /// The per-IP request limit's key: the client's network (an IPv4
    /// address or an IPv6 /64).
    #[derive(Debug, Clone, Copy)]
    pub struct NetworkKey;

    impl tower_governor::key_extractor::KeyExtractor for NetworkKey {
        type Key = String;

        fn extract<T>(&self, req: &http::Request<T>) -> Result<Self::Key, tower_governor::GovernorError> {
            req.extensions()
                .get::<ClientAddr>()
                .map(|a| network_key(&a.0.to_string()))
                .ok_or(tower_governor::GovernorError::UnableToExtractKey)
        }
    }

    /// Resolves the session cookie and puts the signed-in user in the
    /// request's extensions, where pages and extractors read it.
    pub async fn resolve_session(
        State(state): State<AppState>,
        mut request: Request,
        next: Next,
    ) -> Response {
        // Assets and probes never need the user: spare the database.
        let path = request.uri().path();
        if ["/pkg/", "/vendor/", "/healthz", "/readyz"]
            .iter()
            .any(|p| path.starts_with(p))
        {
            return next.run(request).await;
        }
        if let Some(token) = cookie_in(request.headers(), sessions::COOKIE_NAME) {
            match sessions::resolve(&state.deps.pool, &token, state.deps.clock.now()).await {
                Ok(Some(user)) => {
                    if state.settings.staff_two_factor_required
                        && user.role == Role::Staff
                        && !user.two_factor
                        && !open_before_two_factor(request.uri().path())
                    {
                        return send_to_two_factor_setup(request.method());
                    }
                    if user.viewed_by.is_some()
                        && !may_send_while_viewing(request.method(), request.uri().path())
                    {
                        return view_only_refusal();
                    }
                    if let Some(onward) = already_signed_in(request.method(), request.uri()) {
                        return onward;
                    }
                    request.extensions_mut().insert(user);
                    return next.run(request).await;
                }
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "could not resolve the session"),
            }
        }
        next.run(request).await
    }

    /// The sign-in page opened while signed in (a second tab, the back
    /// button, a link clicked as a sign-in finished) sends the visitor on
    /// to where they were going instead of asking again.
    fn already_signed_in(method: &axum::http::Method, uri: &axum::http::Uri) -> Option<Response> {
        if uri.path() != "/login"
            || !(method == axum::http::Method::GET || method == axum::http::Method::HEAD)
        {
            return None;
        }
        let next = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .find(|(key, _)| key == "next")
            .map(|(_, value)| value.into_owned());
        let onward = domain::NextPath::or_dashboard(next.as_deref());
        // Never back to the sign-in page itself.
        let onward = match onward.as_str() {
            p if p == "/login" || p.starts_with("/login?") => "/",
            p => p,
        };
        Some(see_other(onward))
    }

    /// While staff view as a customer, no form is let through but ending
    /// the view and signing out. Server functions are (pages read through
    /// them); the few that change something are refused by the services,
    /// which refuse every change made while viewing
    /// (`Actor::require_writable` and the access checks).
    fn may_send_while_viewing(method: &Method, path: &str) -> bool {
        method == Method::GET
            || method == Method::HEAD
            || path.starts_with("/api/")
            || path == "/staff/view-as/end"
            || path == "/logout"
    }

    fn view_only_refusal() -> Response {
        let page = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Read-only</title></head><body><h1>Read-only</h1><p>{}</p><p><a href=\"/\">Back</a></p></body></html>",
            services::actor::VIEW_ONLY
        );
        (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            page,
        )
            .into_response()
    }

    /// What staff without two-factor may still reach when it is required:
    /// setting it up (and its step-up), and signing out.
    fn open_before_two_factor(path: &str) -> bool {
        path == "/settings/two-factor"
            || path.starts_with("/settings/two-factor/")
            || path.starts_with("/api/two-factor")
            || path == "/confirm-identity"
            || path == "/logout"
    }

    fn send_to_two_factor_setup(method: &Method) -> Response {
        if method == Method::GET || method == Method::HEAD {
            see_other("/settings/two-factor?required=1")
        } else {
            (
                StatusCode::FORBIDDEN,
                "Staff accounts must turn on two-factor authentication first: /settings/two-factor",
            )
                .into_response()
        }
    }

    /// The client's address and browser, for sessions and sign-in records.
    pub fn client_info(parts: &Parts) -> ClientInfo {
        ClientInfo {
            ip: parts
                .extensions
                .get::<ClientAddr>()
                .map(|a| a.0.to_string())
                .or_else(|| {
                    parts
                        .extensions
                        .get::<ConnectInfo<SocketAddr>>()
                        .map(|ci| ci.0.ip().to_string())
                }),
            user_agent: parts
                .headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.chars().take(512).collect()),
        }
    }

    /// A cookie's value in a request, if set and not empty.
    pub fn cookie_in(headers: &HeaderMap, name: &str) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|h| sessions::cookie_from_header(h, name).map(str::to_string))
    }

    /// The session token of this request, if it carries one.
    pub fn session_token(parts: &Parts) -> Option<String> {
        cookie_in(&parts.headers, sessions::COOKIE_NAME)
    }

    /// Where a signed-out visitor posting a form goes: sign in, then back to
    /// the page the form was on (its `Referer`, when it is this site's).
    fn sign_in_first(parts: &Parts) -> Response {
        let back = parts
            .headers
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
            .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
            .unwrap_or("/");
        let back = if parts.method == Method::GET {
            parts.uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/")
        } else {
            back
        };
        see_other(&sign_in_path(back))
    }

    impl FromRequestParts<AppState> for Actor {
        type Rejection = Response;

        async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
            let user = parts
                .extensions
                .get::<CurrentUser>()
                .cloned()
                .ok_or_else(|| sign_in_first(parts))?;
            Ok(Actor {
                user,
                client: client_info(parts),
                now: state.deps.clock.now(),
            })
        }
    }

    impl FromRequestParts<AppState> for Visitor {
        type Rejection = std::convert::Infallible;

        async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
            Ok(Visitor {
                client: client_info(parts),
                now: state.deps.clock.now(),
            })
        }
    }

    /// A signed-in staff member. Anyone else learns nothing: the page they
    /// posted to answers "not found".
    pub struct Staff(pub Actor);

    /// Staff tools are invisible to everyone else.
    #[derive(Debug, thiserror::Error)]
    #[error("Page not found.")]
    pub struct NotStaff;

    impl Failure for NotStaff {
        fn status(&self) -> StatusCode {
            StatusCode::NOT_FOUND
        }
    }

    impl FromRequestParts<AppState> for Staff {
        type Rejection = Response;

        async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
            let actor = Actor::from_request_parts(parts, state).await?;
            if actor.is_staff() {
                Ok(Staff(actor))
            } else {
                Err(FormError::into_response(Back::here().fail(&NotStaff)))
            }
        }
    }

    /// The app's dependencies, in a server function or page render.
    pub fn deps() -> Result<Deps, ApiError> {
        leptos::prelude::use_context::<AppState>()
            .map(|s| s.deps.clone())
            .ok_or_else(|| ApiError::Internal {
                reference: "no-app-state".into(),
            })
    }

    /// The acting user of a server function (or of the page calling it on
    /// the server): 401 when nobody is signed in.
    pub fn actor() -> Result<(Deps, Actor), ApiError> {
        let deps = deps()?;
        let parts = leptos::prelude::use_context::<Parts>();
        let user = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<CurrentUser>().cloned());
        let (Some(parts), Some(user)) = (parts, user) else {
            if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(StatusCode::UNAUTHORIZED);
            }
            return Err(ApiError::sign_in_first());
        };
        let actor = Actor {
            user,
            client: client_info(&parts),
            now: deps.clock.now(),
        };
        Ok((deps, actor))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn headers(xff: &str) -> HeaderMap {
            let mut h = HeaderMap::new();
            h.insert("x-forwarded-for", xff.parse().unwrap());
            h
        }

        #[test]
        fn forwarded_addresses_count_only_from_trusted_proxies() {
            let proxies: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
            let proxy: IpAddr = "10.0.0.5".parse().unwrap();
            let stranger: IpAddr = "198.51.100.7".parse().unwrap();
            // Through our proxy: the client it saw.
            assert_eq!(
                forwarded_client(proxy, &headers("203.0.113.9"), &proxies),
                "203.0.113.9".parse::<IpAddr>().unwrap()
            );
            // A client cannot choose its address by sending the header itself.
            assert_eq!(
                forwarded_client(proxy, &headers("1.1.1.1, 203.0.113.9"), &proxies),
                "203.0.113.9".parse::<IpAddr>().unwrap()
            );
            // Nor from outside the proxies.
            assert_eq!(
                forwarded_client(stranger, &headers("1.1.1.1"), &proxies),
                stranger
            );
            // Several trusted hops are skipped.
            assert_eq!(
                forwarded_client(proxy, &headers("203.0.113.9, 10.0.0.9"), &proxies),
                "203.0.113.9".parse::<IpAddr>().unwrap()
            );
        }
    }
}
