//! Invitations: by email, once, for their address, within limits.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn an_invitation_works_once_for_its_address_until_it_expires(pool: PgPool) {
    let team = team(pool).await;
    let (account, _) = team.fresh_account("Shop").await;
    let owner = team.browser(Owner);
    let invite = |email: &'static str| {
        let url = format!("/hosting/{account}/invite");
        async move { owner.post(&url, &[("email", email), ("role", "developer")]).await }
    };
    assert_eq!(invite("bo@example.com").await.status(), 303);
    let (kind, text) = team.app.last_email_to("bo@example.com").await.unwrap();
    assert_eq!(kind, "invitation");
    let link = link_in(&text, "http://");
    let path = link
        .split_once("/invitations")
        .map(|(_, p)| format!("/invitations{p}"))
        .unwrap();
    let token = token_of(&path);

    // Someone else signed in cannot use it.
    let wrong = team
        .browser(Outsider)
        .post("/invitations/accept", &[("token", &token)])
        .await;
    assert_eq!(wrong.status(), 409);
    assert!(wrong.text().await.unwrap().contains("was sent to bo@example.com"));

    // Bo has no account: signs up, confirms, lands on the invitation.
    let bo = team.app.browser();
    assert!(bo
        .get(&path)
        .await
        .text()
        .await
        .unwrap()
        .contains("Sign in to accept"));
    bo.post(
        "/signup",
        &[
            ("name", "Bo"),
            ("email", "bo@example.com"),
            ("password", CUSTOMER_PASSWORD),
        ],
    )
    .await;
    let verify = token_of(&link_in(
        &team.app.last_email_to("bo@example.com").await.unwrap().1,
        "http://",
    ));
    let verified = bo.post("/verify-email", &[("token", &verify)]).await;
    assert_eq!(location(&verified), "/invitations");
    let list = bo.get("/invitations").await.text().await.unwrap();
    assert!(list.contains("Owner invited bo@example.com to Shop as Developer."));
    let ok = bo.post("/invitations/accept", &[("token", &token)]).await;
    assert_eq!(ok.status(), 303);
    assert_eq!(location(&ok), format!("/hosting/{account}?done=joined"));
    let page = bo.get(&format!("/hosting/{account}")).await.text().await.unwrap();
    assert!(page.contains("Bo joined as developer"));
    assert!(page.contains("Owner invited bo@example.com as developer"));

    let reused = bo.post("/invitations/accept", &[("token", &token)]).await;
    assert_eq!(reused.status(), 409, "single use");

    // A second invitation, left for more than 7 days.
    assert_eq!(invite("cy@example.com").await.status(), 303);
    let text = team.app.last_email_to("cy@example.com").await.unwrap().1;
    let token = token_of(&link_in(&text, "http://"));
    confirmed_customer(&team.app, "cy@example.com", "Cy").await;
    let cy = team.app.browser();
    cy.sign_in("cy@example.com", CUSTOMER_PASSWORD).await;
    team.app.clock.advance(Duration::days(6));
    // She uses the portal meanwhile (a week idle would end her session).
    cy.page("/").await;
    team.app.clock.advance(Duration::days(1) + Duration::minutes(1));
    let late = cy.post("/invitations/accept", &[("token", &token)]).await;
    assert_eq!(late.status(), 409);
    assert!(late.text().await.unwrap().contains("This invitation has expired"));
    assert_eq!(cy.get(&format!("/hosting/{account}")).await.status(), 404);
}

#[sqlx::test(migrations = "../migrations")]
async fn one_account_sends_at_most_30_invitations_an_hour(pool: PgPool) {
    let team = team(pool).await;
    let (account, _) = team.fresh_account("Shop").await;
    let url = format!("/hosting/{account}/invite");
    for i in 0..30 {
        let email = format!("guest{i}@example.com");
        let res = team
            .browser(Owner)
            .post(&url, &[("email", &email), ("role", "viewer")])
            .await;
        assert_eq!(res.status(), 303, "invitation {i}");
    }
    let res = team
        .browser(Admin)
        .post(&url, &[("email", "one-more@example.com"), ("role", "viewer")])
        .await;
    assert_eq!(res.status(), 429);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Too many invitations from this account"));
    assert_eq!(team.app.emails_to("one-more@example.com").await, 0);
}
