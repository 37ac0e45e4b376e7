//! Buying an account on a paid plan through Stripe Checkout.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_paid_account_is_active_only_once_stripe_confirms_the_payment(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (_, browser) = shop.customer("pia@example.com").await;
    let (account, order) = shop.buy(&browser, "Pia's Shop", "pro").await;
    assert_eq!(shop.account_status(account).await, "pending");

    // The order page says what is bought and links to Stripe's page.
    let page = browser.page(&format!("/billing/orders/{order}")).await;
    assert!(
        page.contains("Pia&#x27;s Shop") || page.contains("Pia's Shop"),
        "{page}"
    );
    assert!(page.contains("14.99 EUR / month"));
    let session = shop.session(order).await;
    assert!(
        page.contains(&format!("{}/c/pay/{session}", shop.stripe_url)),
        "a link to the hosted checkout"
    );
    assert!(page.contains("No real money"), "test mode is said plainly");

    // Paying sends the browser back; that alone activates nothing.
    let paid = shop.pay(&session, "4242 4242 4242 4242").await;
    assert_eq!(paid.status(), 303);
    let back = location(&paid);
    assert!(
        back.contains(&format!("/billing/orders/{order}?session_id={session}")),
        "{back}"
    );
    let path = back
        .split_once("127.0.0.1")
        .map(|(_, rest)| &rest[rest.find('/').unwrap()..])
        .unwrap();
    let waiting = browser.page(path).await;
    assert!(
        waiting.contains("Confirming your payment"),
        "the page waits for Stripe"
    );
    assert_eq!(shop.account_status(account).await, "pending");

    // Stripe's webhooks confirm it.
    shop.settle().await;
    assert_eq!(shop.account_status(account).await, "active");
    assert_eq!(
        shop.subscription(account).await,
        Some(("active".into(), Some("pro".into()), 1499, false))
    );
    let confirmed = browser.page(path).await;
    assert!(confirmed.contains("Payment confirmed"));
    let billing = browser.page("/billing").await;
    assert!(billing.contains("Pia"), "the subscription is listed");
    assert!(
        billing.contains("14.99 EUR") && billing.contains("Paid"),
        "the paid invoice is listed"
    );
    assert!(billing.contains("/pdf"), "with its PDF");
    assert!(billing.contains("Manage payment methods"));
    let (kind, text) = shop.app.last_email_to("pia@example.com").await.unwrap();
    assert_eq!(kind, "billing_payment_confirmed");
    assert!(
        text.contains("14.99 EUR") && text.contains(&shop.stripe_url),
        "{text}"
    );
    // The account's page shows the subscription and its next charge.
    let page = browser.page(&format!("/hosting/{account}")).await;
    assert!(page.contains("Renews on"), "next charge shown");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_declined_card_leaves_the_account_pending_with_a_clear_message(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (_, browser) = shop.customer("dee@example.com").await;
    let (account, order) = shop.buy(&browser, "Declined", "starter").await;
    let session = shop.session(order).await;
    let declined = shop.pay(&session, "4000 0000 0000 0002").await;
    assert_eq!(declined.status(), 200);
    assert!(declined.text().await.unwrap().contains("Your card was declined"));
    shop.settle().await;
    assert_eq!(shop.account_status(account).await, "pending");
    assert_eq!(shop.subscription(account).await, None);
    // The account page offers to complete the payment.
    let page = browser.page(&format!("/hosting/{account}")).await;
    assert!(
        page.contains("waiting for its first payment") && page.contains(&format!("/billing/orders/{order}"))
    );
    // Coming back from Stripe without paying says nothing was charged.
    let page = browser
        .page(&format!("/billing/orders/{order}?cancelled=1"))
        .await;
    assert!(page.contains("nothing was charged"));
}

#[sqlx::test(migrations = "../migrations")]
async fn amounts_show_in_their_currency_s_minor_units(pool: PgPool) {
    let shop = Shop::new(pool).await;
    sqlx::query(
        "INSERT INTO plans (code, name, storage_quota_bytes, bandwidth_quota_bytes, max_sites, price_minor, currency)
         VALUES ('tokyo', 'Tokyo', 10000000000, 100000000000, 1, 1200, 'JPY')",
    )
    .execute(&shop.app.pool)
    .await
    .unwrap();
    services::billing::plans::sync(&shop.app.pool, &shop.billing)
        .await
        .unwrap();
    let (_, browser) = shop.customer("yuki@example.com").await;
    let (account, order) = shop.buy(&browser, "Yuki", "tokyo").await;
    let session = shop.session(order).await;
    assert_eq!(shop.pay(&session, "4242424242424242").await.status(), 303);
    shop.settle().await;
    assert_eq!(shop.account_status(account).await, "active");
    let billing = browser.page("/billing").await;
    assert!(billing.contains("1200 JPY / month"), "no decimals for yen");
    assert!(billing.contains(">1200 JPY<"), "the invoice in yen");
    assert!(!billing.contains("12.00 JPY"));
}

#[sqlx::test(migrations = "../migrations")]
async fn without_stripe_paid_plans_cannot_be_chosen_and_billing_says_so(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = signed_in(&app).await;
    let plan = crate::builders::plan(&app.pool, "pro").await.to_string();
    let res = browser
        .post(
            "/hosting/new",
            &[
                ("name", "Shop"),
                ("plan", &plan),
                ("primary_domain", "shop.example.com"),
                ("region", "eu-west"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Payments are not set up yet"));
    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM hosting_accounts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(accounts, 0);
    let billing = browser.page("/billing").await;
    assert!(billing.contains("Payments are not set up"));
    // A webhook has no secret to be checked against: refused, nothing stored.
    let res = app
        .client
        .post(format!("{}/webhooks/stripe", app.base))
        .header("stripe-signature", "t=1,v1=00")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_retired_plan_is_refused_next_to_the_plan_field(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (_, browser) = shop.customer("rita@example.com").await;
    let plan = shop.plan("pro").await;
    sqlx::query("UPDATE plans SET available = false WHERE id = $1")
        .bind(plan)
        .execute(&shop.app.pool)
        .await
        .unwrap();
    let plan = plan.to_string();
    let res = browser
        .post(
            "/hosting/new",
            &[
                ("name", "Shop"),
                ("plan", &plan),
                ("primary_domain", "shop.example.com"),
                ("region", "eu-west"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422, "not 500");
    let html = res.text().await.unwrap();
    let field = &html[html.find("plan-choice").expect("the plan fieldset")..];
    let field = &field[..field.find("</fieldset>").unwrap()];
    assert!(field.contains("Choose one of the plans offered."), "{field}");
    for table in ["hosting_accounts", "orders"] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&shop.app.pool)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn an_expired_payment_page_is_made_anew(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (_, browser) = shop.customer("late@example.com").await;
    let (account, order) = shop.buy(&browser, "Late Shop", "starter").await;
    let first = shop.session(order).await;
    // A day later Stripe has expired the session: the page offers a new one.
    shop.app.clock.advance(time::Duration::hours(24));
    let page = browser.page(&format!("/billing/orders/{order}")).await;
    assert!(page.contains("The payment page expired"), "{page}");
    assert!(
        !page.contains(&format!("/c/pay/{first}")),
        "the old page is not offered"
    );
    let res = browser
        .post(&format!("/billing/orders/{order}/checkout"), &[])
        .await;
    assert_eq!(location(&res), format!("/billing/orders/{order}"));
    let second = shop.session(order).await;
    assert_ne!(second, first, "a new session (its own idempotency key)");
    assert!(browser
        .page(&format!("/billing/orders/{order}"))
        .await
        .contains(&format!("/c/pay/{second}")));
    // (Paying it is the other tests': this server's clock is now a day
    // ahead of the stand-in's webhook signatures.)
    assert_eq!(shop.account_status(account).await, "pending");
}
