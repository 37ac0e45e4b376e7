//! The one-owner rule and ownership transfer.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn an_account_always_has_exactly_one_owner(pool: PgPool) {
    let team = team(pool).await;
    let (account, _) = team.fresh_account("Shop").await;
    let owner_id = team.id(Owner).to_string();
    let owner = team.browser(Owner);
    let admin = team.browser(Admin);
    assert_eq!(
        owner
            .post(&format!("/hosting/{account}/leave"), &[])
            .await
            .status(),
        409
    );
    assert_eq!(
        admin
            .post(
                &format!("/hosting/{account}/members/remove"),
                &[("user_id", &owner_id)]
            )
            .await
            .status(),
        409
    );
    assert_eq!(
        admin
            .post(
                &format!("/hosting/{account}/members/role"),
                &[("user_id", &owner_id), ("role", "viewer")]
            )
            .await
            .status(),
        409
    );
    assert_eq!(
        admin
            .post(
                &format!("/hosting/{account}/members/role"),
                &[("user_id", &owner_id), ("role", "owner")]
            )
            .await
            .status(),
        422,
        "ownership cannot be granted, only transferred"
    );
    let owners: i64 =
        sqlx::query_scalar("SELECT count(*) FROM hosting_members WHERE account_id = $1 AND role = 'owner'")
            .bind(account)
            .fetch_one(&team.app.pool)
            .await
            .unwrap();
    assert_eq!(owners, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn ownership_moves_to_a_member_after_a_fresh_confirmation(pool: PgPool) {
    let team = team(pool).await;
    let (account, _) = team.fresh_account("Shop").await;
    let owner = team.browser(Owner);
    let url = format!("/hosting/{account}/transfer");
    let outsider_id = team.id(Outsider).to_string();
    let not_member = owner.post(&url, &[("user_id", &outsider_id)]).await;
    assert_eq!(not_member.status(), 422);
    assert!(not_member
        .text()
        .await
        .unwrap()
        .contains("must already be a member"));

    team.app.clock.advance(Duration::minutes(11));
    let developer_id = team.id(Developer).to_string();
    let stale = owner.post(&url, &[("user_id", &developer_id)]).await;
    assert_eq!(
        location(&stale),
        format!("/confirm-identity?next=/hosting/{account}")
    );
    owner
        .post(
            "/confirm-identity",
            &[("password", CUSTOMER_PASSWORD), ("next", "/")],
        )
        .await;
    let ok = owner.post(&url, &[("user_id", &developer_id)]).await;
    assert_eq!(
        location(&ok),
        format!("/hosting/{account}?done=ownership_transferred")
    );
    let roles: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.email, m.role FROM hosting_members m JOIN users u ON u.id = m.user_id WHERE m.account_id = $1 AND m.role IN ('owner', 'admin') ORDER BY u.email",
    )
    .bind(account)
    .fetch_all(&team.app.pool)
    .await
    .unwrap();
    assert_eq!(
        roles,
        vec![
            ("admin@example.com".into(), "admin".into()),
            ("developer@example.com".into(), "owner".into()),
            ("owner@example.com".into(), "admin".into()),
        ]
    );
    let page = owner
        .get(&format!("/hosting/{account}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Owner made Developer the owner"));
}
