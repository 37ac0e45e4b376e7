//! Billing on the dashboard, against figures computed here from the tables.

use serde_json::{json, Value};

use super::*;

async fn dashboard(browser: &Browser) -> Value {
    let res = browser
        .client
        .post(format!("{}/api/dashboard", browser.base))
        .header("origin", &browser.base)
        .json(&json!({ "range": "30d", "from": null, "to": null, "account": null }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn tile<'a>(view: &'a Value, id: &str) -> &'a Value {
    view["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["tiles"]["Ok"]
                .as_array()
                .map(|t| t.iter())
                .into_iter()
                .flatten()
        })
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no {id} tile in {view}"))
}

fn has_tile(view: &Value, id: &str) -> bool {
    view.to_string().contains(&format!("\"id\":\"{id}\""))
}

fn chart<'a>(view: &'a Value, id: &str) -> Option<&'a Value> {
    view["charts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .map(|c| &c["data"]["Ok"])
}

#[sqlx::test(migrations = "../migrations")]
async fn customers_see_their_spend_and_staff_see_revenue(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (_, ann, _) = shop.subscribed("ann@example.com", "pro").await;
    let (_, bob, bobs) = shop.subscribed("bob@example.com", "starter").await;
    let sub: String =
        sqlx::query_scalar("SELECT stripe_subscription_id FROM subscriptions WHERE account_id = $1")
            .bind(bobs)
            .fetch_one(&shop.app.pool)
            .await
            .unwrap();
    shop.standin.change(|s| s.renew(&sub, false)).unwrap();
    shop.settle().await;

    // Ann: what she paid this month, her next charge, spend per month.
    let paid: i64 = sqlx::query_scalar(
        "SELECT sum(amount_paid_minor)::bigint FROM invoices i JOIN hosting_members m ON m.account_id = i.account_id
         JOIN users u ON u.id = m.user_id WHERE u.email = 'ann@example.com' AND i.status = 'paid'",
    )
    .fetch_one(&shop.app.pool)
    .await
    .unwrap();
    assert_eq!(paid, 1499);
    let view = dashboard(&ann).await;
    assert_eq!(tile(&view, "spend-month")["value"], "14.99 EUR");
    assert_eq!(tile(&view, "next-charge")["value"], "14.99 EUR");
    assert!(!has_tile(&view, "past-due"), "nothing overdue");
    assert!(!has_tile(&view, "mrr"), "revenue is for staff");
    let spend = chart(&view, "spend-per-month").expect("the spend chart");
    assert_eq!(spend["series"][0]["name"], "EUR");
    assert_eq!(
        spend["series"][0]["values"].as_array().unwrap().last().unwrap(),
        14.99
    );
    assert!(chart(&view, "revenue-per-day").is_none());

    // Bob: his renewal failed.
    let view = dashboard(&bob).await;
    assert_eq!(tile(&view, "past-due")["raw"], 1);
    assert_eq!(tile(&view, "past-due")["attention"], true);
    assert_eq!(tile(&view, "spend-month")["value"], "4.99 EUR", "only Bob's own");

    // Staff: recurring revenue of every live subscription, and the moves.
    let (_, staff) = shop.app.staff("sam@example.com").await;
    let mrr: i64 = sqlx::query_scalar(
        "SELECT sum(amount_minor)::bigint FROM subscriptions WHERE status IN ('active', 'trialing', 'past_due')",
    )
    .fetch_one(&shop.app.pool)
    .await
    .unwrap();
    assert_eq!(mrr, 1499 + 499);
    let view = dashboard(&staff).await;
    assert_eq!(tile(&view, "mrr")["value"], "19.98 EUR");
    assert_eq!(tile(&view, "new-subscriptions")["raw"], 2);
    assert_eq!(tile(&view, "churned-subscriptions")["raw"], 0);
    assert_eq!(tile(&view, "past-due-accounts")["raw"], 1);
    let revenue = chart(&view, "revenue-per-day").expect("the revenue chart");
    let today: f64 = revenue["series"][0]["values"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_f64()
        .unwrap();
    assert_eq!(today, 19.98, "both first payments were taken today");
}
