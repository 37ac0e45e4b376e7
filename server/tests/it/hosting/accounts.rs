//! Creating and cancelling hosting accounts.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn creating_an_account_checks_every_field(pool: PgPool) {
    let team = team(pool).await;
    let owner = team.browser(Owner);
    let res = owner
        .post(
            "/hosting/new",
            &[
                ("name", " "),
                ("plan", "nope"),
                ("primary_domain", "https://bad"),
                ("region", "moon"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    for message in [
        "Enter a name for the hosting account.",
        "Choose a plan.",
        "without http://",
        "Choose one of our regions.",
    ] {
        assert!(page.contains(message), "{message}");
    }
    assert!(page.contains("value=\"https://bad\""), "what was typed is kept");
    let res = owner
        .post(
            "/hosting/new",
            &[
                ("name", "Shop"),
                ("plan", &team.plan.to_string()),
                ("primary_domain", "Bücher.example"),
                ("region", "eu-west"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = owner.get(&location(&res)).await.text().await.unwrap();
    assert!(page.contains("xn--bcher-kva.example"));
    assert!(page.contains("Owner created the account on the Hobby plan"));
}

#[sqlx::test(migrations = "../migrations")]
async fn with_two_factor_on_cancelling_needs_a_fresh_confirmation(pool: PgPool) {
    let team = team(pool).await;
    let (account, _) = team.fresh_account("Shop").await;
    let owner = team.browser(Owner);
    let two_factor = enable_two_factor(&team.app, owner).await;
    team.app.clock.advance(Duration::minutes(11));
    let url = format!("/hosting/{account}/cancel");
    let stale = owner.post(&url, &[("confirm", "yes")]).await;
    assert_eq!(
        location(&stale),
        format!("/confirm-identity?next=/hosting/{account}")
    );
    let status: String = sqlx::query_scalar("SELECT status FROM hosting_accounts WHERE id = $1")
        .bind(account)
        .fetch_one(&team.app.pool)
        .await
        .unwrap();
    assert_eq!(status, "active");
    let code = team.app.code_now(&two_factor.secret);
    let confirmed = owner
        .post(
            "/confirm-identity",
            &[("password", CUSTOMER_PASSWORD), ("code", &code), ("next", "/")],
        )
        .await;
    assert_eq!(confirmed.status(), 303);
    let ok = owner.post(&url, &[("confirm", "yes")]).await;
    assert_eq!(
        location(&ok),
        format!("/hosting/{account}?done=account_cancelled")
    );
    let page = owner
        .get(&format!("/hosting/{account}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Owner cancelled the account"));
    assert!(page.contains(">Cancelled<"), "the status badge");
}
