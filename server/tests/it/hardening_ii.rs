//! The second security review's findings that are not an area's own:
//! caching of personal answers, production defaults, and error kinds that
//! survive crossing from one service to another.

use sqlx::PgPool;

use crate::helpers::*;

fn cache_control(res: &reqwest::Response) -> String {
    res.headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[sqlx::test(migrations = "../migrations")]
async fn personal_answers_are_never_stored_by_a_browser_or_proxy(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = signed_in(&app).await;
    // The enrolment page holds the new secret and its QR code.
    assert_eq!(
        browser.post("/settings/two-factor/start", &[]).await.status(),
        303
    );
    let page = browser.get("/settings/two-factor").await;
    assert_eq!(page.status(), 200);
    assert_eq!(cache_control(&page), "no-store");
    for path in ["/", "/settings/sessions", "/billing"] {
        let res = browser.get(path).await;
        assert_eq!(cache_control(&res), "no-store", "{path}");
    }
    // A form's answer (a redirect) and a signed-out page too.
    let res = browser.post("/settings/two-factor/start", &[]).await;
    assert_eq!(cache_control(&res), "no-store");
    let signed_out = app.browser().get("/login").await;
    assert_eq!(signed_out.status(), 200);
    assert_eq!(cache_control(&signed_out), "no-store");
}
