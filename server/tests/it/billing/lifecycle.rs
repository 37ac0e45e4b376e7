//! After the purchase: failed payments and the grace period, plan changes
//! with their cost shown first, cancelling at period end, and new prices.

use super::*;

async fn stripe_subscription(shop: &Shop, account: Uuid) -> String {
    sqlx::query_scalar("SELECT stripe_subscription_id FROM subscriptions WHERE account_id = $1")
        .bind(account)
        .fetch_one(&shop.app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_failed_payment_makes_the_account_past_due_then_suspended_and_paying_restores_it(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (_, browser, account) = shop.subscribed("fay@example.com", "starter").await;
    let sub = stripe_subscription(&shop, account).await;

    // The renewal's payment fails.
    shop.standin.change(|s| s.renew(&sub, false)).unwrap();
    shop.settle().await;
    assert_eq!(shop.subscription(account).await.unwrap().0, "past_due");
    assert_eq!(
        shop.account_status(account).await,
        "active",
        "still working during the grace period"
    );
    let page = browser.page(&format!("/hosting/{account}")).await;
    assert!(
        page.contains("A payment failed") && page.contains("within 14 day(s)"),
        "the banner"
    );
    let (kind, text) = shop.app.last_email_to("fay@example.com").await.unwrap();
    assert_eq!(kind, "billing_payment_failed");
    let pay_link = link_in(&text, &format!("{}/i/", shop.stripe_url));
    let bell: i64 = sqlx::query_scalar("SELECT count(*) FROM notifications WHERE kind = 'payment_failed'")
        .fetch_one(&shop.app.pool)
        .await
        .unwrap();
    assert_eq!(bell, 1, "the owner is notified");

    // Not yet past the grace period: nothing happens.
    let grace = |at| services::billing::grace::suspend_overdue(&shop.app.pool, at, 14);
    assert_eq!(
        grace(shop.app.clock.now() + time::Duration::days(13))
            .await
            .unwrap(),
        0
    );
    // Past it: suspended, and told why.
    assert_eq!(
        grace(shop.app.clock.now() + time::Duration::days(15))
            .await
            .unwrap(),
        1
    );
    assert_eq!(shop.account_status(account).await, "suspended");
    assert_eq!(
        shop.app.last_email_to("fay@example.com").await.unwrap().0,
        "billing_suspended_unpaid"
    );
    assert_eq!(
        grace(shop.app.clock.now() + time::Duration::days(16))
            .await
            .unwrap(),
        0,
        "once"
    );

    // Paying the open invoice (on its hosted page) restores the account.
    let paid = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(&pay_link)
        .form(&[("card", "4242424242424242")])
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 303);
    shop.settle().await;
    assert_eq!(shop.subscription(account).await.unwrap().0, "active");
    assert_eq!(shop.account_status(account).await, "active");
    let hold: bool = sqlx::query_scalar("SELECT billing_hold FROM hosting_accounts WHERE id = $1")
        .bind(account)
        .fetch_one(&shop.app.pool)
        .await
        .unwrap();
    assert!(!hold);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_staff_suspension_is_not_lifted_by_a_payment(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (_, _, account) = shop.subscribed("sue@example.com", "starter").await;
    sqlx::query("UPDATE hosting_accounts SET status = 'suspended', suspended_reason = 'Abuse' WHERE id = $1")
        .bind(account)
        .execute(&shop.app.pool)
        .await
        .unwrap();
    let sub = stripe_subscription(&shop, account).await;
    shop.standin.change(|s| s.renew(&sub, true)).unwrap();
    shop.settle().await;
    assert_eq!(shop.account_status(account).await, "suspended");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_plan_change_shows_its_cost_first_and_the_account_moves_when_stripe_confirms(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (_, browser, account) = shop.subscribed("max@example.com", "starter").await;
    let business = shop.plan("business").await;
    // Choosing a plan leads to its cost, not to a change.
    let res = browser
        .post(
            &format!("/hosting/{account}/plan"),
            &[("plan", &business.to_string())],
        )
        .await;
    assert_eq!(location(&res), format!("/hosting/{account}/plan?plan={business}"));
    assert_eq!(
        shop.subscription(account).await.unwrap().1.as_deref(),
        Some("starter")
    );
    let preview = browser
        .page(&format!("/hosting/{account}/plan?plan={business}"))
        .await;
    // The stand-in prorates (39.99 - 4.99) over what is left of the month: nearly all of it.
    let due = preview
        .split("class=\"due-now\">")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .expect("the amount due now");
    let due: f64 = due.parse().unwrap();
    assert!((34.9..=35.0).contains(&due), "due now {due}");
    assert!(preview.contains("39.99 EUR / month"));

    let res = browser
        .post(
            &format!("/hosting/{account}/plan/confirm"),
            &[("plan", &business.to_string())],
        )
        .await;
    assert_eq!(
        location(&res),
        format!("/hosting/{account}?done=plan_change_requested")
    );
    shop.settle().await;
    assert_eq!(
        shop.subscription(account).await.unwrap().1.as_deref(),
        Some("business")
    );
    let plan: String = sqlx::query_scalar(
        "SELECT p.code FROM hosting_accounts a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1",
    )
    .bind(account)
    .fetch_one(&shop.app.pool)
    .await
    .unwrap();
    assert_eq!(plan, "business");
    assert_eq!(
        shop.emails_of_kind("max@example.com", "billing_plan_changed")
            .await,
        1
    );
    // The proration was invoiced and paid at once.
    let invoices: i64 =
        sqlx::query_scalar("SELECT count(*) FROM invoices WHERE account_id = $1 AND status = 'paid'")
            .bind(account)
            .fetch_one(&shop.app.pool)
            .await
            .unwrap();
    assert_eq!(invoices, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn cancelling_at_period_end_can_be_withdrawn_and_needs_a_recent_sign_in(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (_, browser, account) = shop.subscribed("cal@example.com", "pro").await;
    let res = browser
        .post(&format!("/hosting/{account}/subscription/cancel"), &[])
        .await;
    assert_eq!(
        location(&res),
        format!("/hosting/{account}?done=cancel_scheduled")
    );
    assert!(shop.subscription(account).await.unwrap().3, "shown at once");
    let page = browser.page(&format!("/hosting/{account}")).await;
    assert!(page.contains("Ends on") && page.contains("Keep the subscription"));
    shop.settle().await;
    assert!(
        shop.subscription(account).await.unwrap().3,
        "and kept when the webhook comes"
    );

    // Later than the step-up window, a change asks to confirm it's you first.
    shop.app.clock.advance(time::Duration::minutes(11));
    let res = browser
        .post(&format!("/hosting/{account}/subscription/resume"), &[])
        .await;
    assert!(
        location(&res).starts_with("/confirm-identity"),
        "{}",
        location(&res)
    );
    assert!(shop.subscription(account).await.unwrap().3, "nothing changed");
    assert!(shop.standin.read(|s| s
        .subscriptions
        .values()
        .all(|v| v["cancel_at_period_end"] == true)));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_changed_price_gets_a_new_stripe_price_and_the_old_one_is_archived(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let old: String = sqlx::query_scalar("SELECT stripe_price_id FROM plans WHERE code = 'pro'")
        .fetch_one(&shop.app.pool)
        .await
        .unwrap();
    let again = services::billing::plans::sync(&shop.app.pool, &shop.billing)
        .await
        .unwrap();
    assert_eq!(again.new_prices, 0, "nothing changed, nothing made");
    sqlx::query("UPDATE plans SET price_minor = 1999 WHERE code = 'pro'")
        .execute(&shop.app.pool)
        .await
        .unwrap();
    let done = services::billing::plans::sync(&shop.app.pool, &shop.billing)
        .await
        .unwrap();
    assert_eq!((done.new_prices, done.archived), (1, 1));
    let new: String = sqlx::query_scalar("SELECT stripe_price_id FROM plans WHERE code = 'pro'")
        .fetch_one(&shop.app.pool)
        .await
        .unwrap();
    assert_ne!(new, old);
    shop.standin.read(|s| {
        assert_eq!(s.prices[&old]["active"], false);
        assert_eq!(s.prices[&new]["unit_amount"], 1999);
    });
}

#[sqlx::test(migrations = "../migrations")]
async fn cancelling_the_account_ends_its_subscription_and_reactivating_pays_again(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (_, browser, account) = shop.subscribed("rea@example.com", "pro").await;
    let res = browser
        .post(&format!("/hosting/{account}/cancel"), &[("confirm", "yes")])
        .await;
    assert_eq!(
        location(&res),
        format!("/hosting/{account}?done=account_cancelled")
    );
    assert_eq!(shop.account_status(account).await, "cancelled");
    assert!(
        shop.standin
            .read(|s| s.subscriptions.values().all(|v| v["status"] == "canceled")),
        "nothing more is charged"
    );
    shop.settle().await;
    assert_eq!(shop.subscription(account).await.unwrap().0, "canceled");
    assert_eq!(
        shop.emails_of_kind("rea@example.com", "billing_subscription_cancelled")
            .await,
        1
    );

    // Reactivating is a new order, paid through Checkout.
    let page = browser.page(&format!("/hosting/{account}")).await;
    assert!(page.contains("Reactivate and pay"));
    let res = browser.post(&format!("/hosting/{account}/reactivate"), &[]).await;
    let order = Uuid::parse_str(location(&res).strip_prefix("/billing/orders/").unwrap()).unwrap();
    assert_eq!(
        shop.account_status(account).await,
        "cancelled",
        "until it is paid"
    );
    let session = shop.session(order).await;
    assert_eq!(shop.pay(&session, "4242 4242 4242 4242").await.status(), 303);
    shop.settle().await;
    assert_eq!(shop.account_status(account).await, "active");
    assert_eq!(shop.subscription(account).await.unwrap().0, "active");
}

#[sqlx::test(migrations = "../migrations")]
async fn cancel_resume_cancel_in_a_row_ends_cancelled_everywhere(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (_, browser, account) = shop.subscribed("toggle@example.com", "pro").await;
    for path in ["cancel", "resume", "cancel"] {
        let res = browser
            .post(&format!("/hosting/{account}/subscription/{path}"), &[])
            .await;
        assert_eq!(res.status(), 303, "{path}");
    }
    shop.settle().await;
    assert!(
        shop.subscription(account).await.unwrap().3,
        "the portal says it ends"
    );
    assert!(
        shop.standin.read(|s| s
            .subscriptions
            .values()
            .all(|v| v["cancel_at_period_end"] == true)),
        "and so does Stripe"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_staff_suspension_survives_cancelling_and_paying_again(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (_, owner, account) = shop.subscribed("held@example.com", "pro").await;
    let (_, staff) = shop.app.staff("sam@example.com").await;
    let res = staff
        .post(
            &format!("/hosting/{account}/suspend"),
            &[("reason", "Abuse report")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = owner
        .post(&format!("/hosting/{account}/cancel"), &[("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 303);
    shop.settle().await;
    let res = owner.post(&format!("/hosting/{account}/reactivate"), &[]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("suspended by our staff"));
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders WHERE kind = 'reactivation'")
        .fetch_one(&shop.app.pool)
        .await
        .unwrap();
    assert_eq!(orders, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn two_orders_paid_for_one_account_leave_one_subscription(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (_, owner, account) = shop.subscribed("twice@example.com", "pro").await;
    let res = owner
        .post(&format!("/hosting/{account}/cancel"), &[("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 303);
    shop.settle().await;
    // Two tabs: two reactivation orders, both opened at Stripe, both paid.
    let mut sessions = Vec::new();
    for _ in 0..2 {
        let res = owner.post(&format!("/hosting/{account}/reactivate"), &[]).await;
        let order = Uuid::parse_str(location(&res).strip_prefix("/billing/orders/").unwrap()).unwrap();
        sessions.push(shop.session(order).await);
    }
    for session in &sessions {
        assert_eq!(shop.pay(session, "4242 4242 4242 4242").await.status(), 303);
    }
    shop.settle().await;
    shop.drain().await;
    assert_eq!(shop.account_status(account).await, "active");
    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM subscriptions WHERE account_id = $1 AND status NOT IN ('canceled', 'incomplete_expired')",
    )
    .bind(account)
    .fetch_one(&shop.app.pool)
    .await
    .unwrap();
    assert_eq!(live, 1, "one account, one subscription");
    let at_stripe = shop.standin.read(|s| {
        s.subscriptions
            .values()
            .filter(|v| v["status"] == "active")
            .count()
    });
    assert_eq!(at_stripe, 1, "the second was ended at Stripe too");
    let failed: i64 = sqlx::query_scalar("SELECT count(*) FROM stripe_events WHERE processed_at IS NULL")
        .fetch_one(&shop.app.pool)
        .await
        .unwrap();
    assert_eq!(failed, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_removed_payer_gets_no_billing_email_and_no_portal(pool: PgPool) {
    let shop = Shop::new(pool).await;
    // Fay paid with her card; the account is then handed to Olga, and Fay
    // stays on as a billing member.
    let (fay, fay_browser, account) = shop.subscribed("fay@example.com", "starter").await;
    assert_eq!(
        fay_browser.get("/billing/portal").await.status(),
        303,
        "her card, her portal"
    );
    let (olga, olga_browser) = shop.customer("olga@example.com").await;
    for (user, role) in [(fay, "billing"), (olga, "owner")] {
        sqlx::query(
            "INSERT INTO hosting_members (account_id, user_id, role) VALUES ($1, $2, $3)
             ON CONFLICT (account_id, user_id) DO UPDATE SET role = EXCLUDED.role",
        )
        .bind(account)
        .bind(user)
        .bind(role)
        .execute(&shop.app.pool)
        .await
        .unwrap();
    }
    // Olga removes Fay.
    let res = olga_browser
        .post(
            &format!("/hosting/{account}/members/remove"),
            &[("user_id", &fay.to_string())],
        )
        .await;
    assert_eq!(res.status(), 303);

    // The next renewal fails: the account's payers now are told, Fay is not.
    let sub = stripe_subscription(&shop, account).await;
    shop.standin.change(|s| s.renew(&sub, false)).unwrap();
    shop.settle().await;
    assert_eq!(
        shop.emails_of_kind("olga@example.com", "billing_payment_failed")
            .await,
        1
    );
    assert_eq!(
        shop.emails_of_kind("fay@example.com", "billing_payment_failed")
            .await,
        0
    );
    // Nor does she see the account's invoices in Stripe's portal any more.
    let before = shop.standin.read(|s| s.portal_sessions.len());
    let res = fay_browser.get("/billing/portal").await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("no longer see"));
    assert_eq!(
        shop.standin.read(|s| s.portal_sessions.len()),
        before,
        "no portal session made"
    );
}
