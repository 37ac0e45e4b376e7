//! Step-up: changing email or password, deleting the account and managing
//! two-factor need an authentication less than ten minutes old.

use crate::helpers::*;
use sqlx::PgPool;
use time::Duration;

const ANA: &str = "customer@example.com";

#[sqlx::test(migrations = "../migrations")]
async fn sensitive_changes_need_a_recent_authentication(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = signed_in(&app).await;
    let settings = browser.get("/settings").await.text().await.unwrap();
    assert!(
        settings.contains("name=\"new_email\""),
        "just signed in: the forms are open"
    );

    app.clock.advance(Duration::minutes(10) + Duration::seconds(1));
    let settings = browser.get("/settings").await.text().await.unwrap();
    assert!(!settings.contains("name=\"new_email\""));
    assert!(settings.contains("Confirm it&#x27;s you") || settings.contains("Confirm it's you"));

    for (path, form) in [
        ("/settings/profile/email", vec![("new_email", "ana@new.example")]),
        ("/settings/password", vec![("new_password", "a brand new secret")]),
        ("/settings/delete", vec![("confirm", "yes")]),
    ] {
        let res = browser.post(path, &form).await;
        assert_eq!(res.status(), 303, "{path}");
        assert_eq!(location(&res), "/confirm-identity?next=/settings", "{path}");
    }
    assert_eq!(app.emails_to("ana@new.example").await, 0, "nothing changed");
    assert_eq!(browser.get("/settings").await.status(), 200, "not deleted");

    let wrong = browser
        .post(
            "/confirm-identity",
            &[("password", "not my password"), ("next", "/settings")],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let ok = browser
        .post(
            "/confirm-identity",
            &[("password", CUSTOMER_PASSWORD), ("next", "/settings")],
        )
        .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(location(&ok), "/settings");
    let res = browser
        .post("/settings/profile/email", &[("new_email", "ana@new.example")])
        .await;
    assert_eq!(
        location(&res),
        "/settings?done=email_change_sent",
        "open again after confirming"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn with_two_factor_on_confirming_needs_a_code_too(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = signed_in(&app).await;
    let two_factor = enable_two_factor(&app, &browser).await;
    app.clock.advance(Duration::minutes(11));

    let res = browser.post("/settings/two-factor/recovery-codes", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/confirm-identity?next=/settings/two-factor");

    let page = browser.get("/confirm-identity?next=/settings/two-factor").await;
    assert!(page.text().await.unwrap().contains("name=\"code\""));
    let password_only = browser
        .post(
            "/confirm-identity",
            &[("password", CUSTOMER_PASSWORD), ("next", "/settings/two-factor")],
        )
        .await;
    assert_eq!(password_only.status(), 422);
    let ok = browser
        .post(
            "/confirm-identity",
            &[
                ("password", CUSTOMER_PASSWORD),
                ("code", &app.code_now(&two_factor.secret)),
                ("next", "/settings/two-factor"),
            ],
        )
        .await;
    assert_eq!(location(&ok), "/settings/two-factor");
    let res = browser.post("/settings/two-factor/recovery-codes", &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(recovery_codes_in(&res.text().await.unwrap()).len(), 10);
    let _ = ANA;
}
