//! Staff tools: the plan catalogue and node tokens.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn staff_keep_the_plan_catalogue(pool: PgPool) {
    let team = team(pool).await;
    let staff = team.browser(Staff);
    let customer = team.browser(Owner);
    let plan = [
        ("code", "team"),
        ("name", "Team"),
        ("storage_gb", "100"),
        ("bandwidth_gb", "1000"),
        ("max_sites", "20"),
        ("price", "24.50"),
        ("currency", "eur"),
        ("available", "yes"),
    ];
    assert_eq!(customer.get("/staff/plans").await.status(), 404);
    assert_eq!(customer.post("/staff/plans", &plan).await.status(), 404);
    let mut bad = plan;
    bad[5] = ("price", "24.505");
    let res = staff.post("/staff/plans", &bad).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("at most two decimals"));
    assert_eq!(
        location(&staff.post("/staff/plans", &plan).await),
        "/staff/plans?done=plan_saved"
    );
    let offered = customer.get("/hosting/new").await.text().await.unwrap();
    assert!(offered.contains("Team") && offered.contains("24.50 EUR / month"));
    // Retired: kept for its accounts, no longer offered.
    let mut retired = plan;
    retired[7] = ("available", "no");
    staff.post("/staff/plans", &retired).await;
    assert!(!customer
        .get("/hosting/new")
        .await
        .text()
        .await
        .unwrap()
        .contains("24.50 EUR"));
    assert!(staff
        .get("/staff/plans")
        .await
        .text()
        .await
        .unwrap()
        .contains("Team"));
}

#[sqlx::test(migrations = "../migrations")]
async fn node_tokens_are_made_by_staff_and_shown_once(pool: PgPool) {
    let team = team(pool).await;
    let staff = team.browser(Staff);
    assert_eq!(
        team.browser(Owner)
            .post("/staff/nodes", &[("name", "web-1")])
            .await
            .status(),
        404
    );
    let res = staff
        .post("/staff/nodes", &[("name", "web-fra-1"), ("region", "eu-central")])
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let start = page.find("ksfnode_").expect("the token is shown");
    let token = &page[start..start + "ksfnode_".len() + 64];
    let again = staff.get("/staff/nodes").await.text().await.unwrap();
    assert!(
        again.contains("web-fra-1") && !again.contains(token),
        "shown once"
    );
    let body = serde_json::json!({ "samples": [] });
    let res = team
        .app
        .client
        .post(format!("{}/api/usage", team.app.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        413,
        "the token authenticates (the empty batch is then refused)"
    );
}
