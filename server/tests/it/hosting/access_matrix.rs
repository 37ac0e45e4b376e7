//! Who may do what: every endpoint against every kind of user, and what
//! outsiders can learn.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn every_endpoint_allows_exactly_the_roles_it_should(pool: PgPool) {
    let team = team(pool).await;
    // (endpoint, form, who may) — the form's {member}/{plan}/{invitation}
    // are filled per case. Everyone else is refused and changes nothing.
    type Case = (&'static str, Vec<(&'static str, &'static str)>, Vec<Actor>);
    let cases: Vec<Case> = vec![
        (
            "/hosting/{id}/edit",
            vec![
                ("name", "Renamed"),
                ("primary_domain", "new.example.com"),
                ("region", "eu-west"),
            ],
            vec![Owner, Admin],
        ),
        (
            "/hosting/{id}/plan",
            vec![("plan", "{plan}")],
            vec![Owner, Admin, Billing],
        ),
        (
            "/hosting/{id}/invite",
            vec![("email", "new@example.com"), ("role", "developer")],
            vec![Owner, Admin],
        ),
        (
            "/hosting/{id}/invitations/revoke",
            vec![("invitation_id", "{invitation}")],
            vec![Owner, Admin],
        ),
        (
            "/hosting/{id}/members/role",
            vec![("user_id", "{viewer}"), ("role", "developer")],
            vec![Owner, Admin],
        ),
        (
            "/hosting/{id}/members/remove",
            vec![("user_id", "{viewer}")],
            vec![Owner, Admin],
        ),
        (
            "/hosting/{id}/transfer",
            vec![("user_id", "{admin}")],
            vec![Owner],
        ),
        ("/hosting/{id}/cancel", vec![("confirm", "yes")], vec![Owner]),
        (
            "/hosting/{id}/suspend",
            vec![("reason", "Unpaid invoice")],
            vec![Staff],
        ),
        (
            "/hosting/{id}/leave",
            vec![],
            vec![Admin, Developer, Billing, Viewer],
        ),
        (
            "/api/hosting/account",
            vec![("id", "{id}")],
            vec![Owner, Admin, Developer, Billing, Viewer, Staff],
        ),
        (
            "/api/hosting/activity",
            vec![("account", "{id}"), ("page", "1")],
            vec![Owner, Admin, Developer, Billing, Viewer, Staff],
        ),
    ];
    let mut n = 0;
    for (path, form, allowed) in &cases {
        for actor in ACTORS {
            n += 1;
            let name = format!("Account {n}");
            let (account, invitation) = team.fresh_account(&name).await;
            let fill = |v: &str| {
                v.replace("{id}", &account.to_string())
                    .replace("{plan}", &team.other_plan.to_string())
                    .replace("{invitation}", &invitation.to_string())
                    .replace("{viewer}", &team.id(Viewer).to_string())
                    .replace("{admin}", &team.id(Admin).to_string())
            };
            let url = fill(path);
            let filled: Vec<(&str, String)> = form.iter().map(|(k, v)| (*k, fill(v))).collect();
            let fields: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let before = team.snapshot(account).await;
            eprintln!("case {n}: {actor:?} {url}");
            let res = team.browser(actor).post(&url, &fields).await;
            let status = res.status().as_u16();
            let location = location(&res);
            let body = res.text().await.unwrap();
            let got = outcome(status, &location);
            let what = format!("{actor:?} → {path}");
            if allowed.contains(&actor) {
                assert_eq!(
                    got,
                    Outcome::Done,
                    "{what} should be allowed ({status}): {}",
                    &body[..body.len().min(300)]
                );
                if *path == "/api/hosting/account" {
                    assert!(body.contains(&name), "{what}: the data is returned");
                }
            } else {
                let staff_tool = path.starts_with("/staff/") || path.starts_with("/api/staff/");
                let expected = match actor {
                    SignedOut if path.starts_with("/api/") => Outcome::Refused(401),
                    SignedOut => Outcome::SignIn,
                    _ if staff_tool => Outcome::Refused(404),
                    Outsider => Outcome::Refused(404),
                    // Leaving is not allowed for the one owner.
                    Owner if *path == "/hosting/{id}/leave" => Outcome::Refused(409),
                    _ => Outcome::Refused(403),
                };
                assert_eq!(got, expected, "{what} should be refused");
                assert_eq!(
                    team.snapshot(account).await,
                    before,
                    "{what}: a refused call changes nothing"
                );
                if matches!(actor, Outsider | SignedOut) {
                    assert!(!body.contains(&name), "{what}: reveals nothing");
                }
            }
        }
    }
    // The list is scoped: members and staff find the account, others don't.
    let (account, _) = team.fresh_account("Findable Shop").await;
    for actor in ACTORS {
        let res = team
            .browser(actor)
            .post(
                "/api/hosting/accounts",
                &[("search", "Findable"), ("sort", "name"), ("page", "1")],
            )
            .await;
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        match actor {
            SignedOut => assert_eq!(status, 401, "signed out: refused"),
            Outsider => assert!(
                status == 200 && !body.contains("Findable Shop"),
                "outsider: an empty list"
            ),
            _ => assert!(
                status == 200 && body.contains(&account.to_string()),
                "{actor:?} finds it"
            ),
        }
    }
    // Resuming is staff-only too.
    for actor in ACTORS {
        let (account, _) = team.fresh_account("Suspended one").await;
        sqlx::query("UPDATE hosting_accounts SET status = 'suspended', suspended_reason = 'x' WHERE id = $1")
            .bind(account)
            .execute(&team.app.pool)
            .await
            .unwrap();
        let res = team
            .browser(actor)
            .post(&format!("/hosting/{account}/resume"), &[])
            .await;
        let got = outcome(res.status().as_u16(), &location(&res));
        let expected = match actor {
            Staff => Outcome::Done,
            SignedOut => Outcome::SignIn,
            Outsider => Outcome::Refused(404),
            _ => Outcome::Refused(403),
        };
        assert_eq!(got, expected, "{actor:?} → resume");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn outsiders_cannot_tell_a_hidden_account_from_a_missing_one(pool: PgPool) {
    let team = team(pool).await;
    let (account, _) = team.fresh_account("Secret Shop").await;
    let outsider = team.browser(Outsider);
    for path in ["/hosting/{id}", "/hosting/{id}/edit", "/hosting/{id}/activity"] {
        let real = outsider.get(&path.replace("{id}", &account.to_string())).await;
        let missing = outsider
            .get(&path.replace("{id}", &Uuid::new_v4().to_string()))
            .await;
        assert_eq!(real.status(), 404, "{path}");
        assert_eq!(missing.status(), 404, "{path}");
        let (real, missing) = (real.text().await.unwrap(), missing.text().await.unwrap());
        assert!(!real.contains("Secret Shop"));
        for body in [&real, &missing] {
            assert!(
                body.contains("does not exist, or you do not have access"),
                "{path}"
            );
        }
    }
    // Their list and feed show nothing of it; a member's do.
    let list = outsider.get("/hosting").await.text().await.unwrap();
    assert!(!list.contains("Secret Shop"));
    assert!(team
        .browser(Viewer)
        .get("/hosting")
        .await
        .text()
        .await
        .unwrap()
        .contains("Secret Shop"));
    assert!(team
        .browser(Staff)
        .get("/hosting")
        .await
        .text()
        .await
        .unwrap()
        .contains("Secret Shop"));
    let res = outsider
        .post(
            "/hosting/new",
            &[
                ("name", "Mine"),
                ("plan", &team.plan.to_string()),
                ("primary_domain", "mine.example.com"),
                ("region", "eu-west"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let feed = outsider.get("/activity").await.text().await.unwrap();
    assert!(feed.contains("Outsider created the account on the Hobby plan"));
    assert!(!feed.contains("Secret Shop"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_viewer_sees_no_edit_controls(pool: PgPool) {
    let team = team(pool).await;
    let (account, _) = team.fresh_account("Shop").await;
    let page = team
        .browser(Viewer)
        .get(&format!("/hosting/{account}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Shop"));
    let controls = [
        "/edit\"",
        "/plan\"",
        "/invite\"",
        "/cancel\"",
        "/members/role\"",
        "/members/remove\"",
        "/transfer\"",
    ];
    for control in controls {
        assert!(
            !page.contains(control),
            "a viewer sees no form posting to {control}"
        );
    }
    assert!(page.contains("Leave this account"));
    let owner_page = team
        .browser(Owner)
        .get(&format!("/hosting/{account}"))
        .await
        .text()
        .await
        .unwrap();
    for control in controls {
        assert!(
            owner_page.contains(control),
            "the owner sees the form posting to {control}"
        );
    }
    let edit = team
        .browser(Viewer)
        .get(&format!("/hosting/{account}/edit"))
        .await;
    assert_eq!(edit.status(), 403);
}

#[sqlx::test(migrations = "../migrations")]
async fn ids_from_another_account_match_nothing_in_mine(pool: PgPool) {
    let team = team(pool).await;
    let (mine, _) = team.fresh_account("Mine").await;
    let (theirs, their_invitation) = team.fresh_account("Theirs").await;
    // Outsider is a member of "Theirs" only; the owner of "Mine" tries
    // its ids through Mine's URLs.
    sqlx::query("INSERT INTO hosting_members (account_id, user_id, role) VALUES ($1, $2, 'viewer')")
        .bind(theirs)
        .bind(team.id(Outsider))
        .execute(&team.app.pool)
        .await
        .unwrap();
    let before = team.snapshot(theirs).await;
    let owner = team.browser(Owner);
    let outsider_id = team.id(Outsider).to_string();
    let revoke = owner
        .post(
            &format!("/hosting/{mine}/invitations/revoke"),
            &[("invitation_id", &their_invitation.to_string())],
        )
        .await;
    assert_eq!(revoke.status(), 409, "their invitation is not one of mine");
    let remove = owner
        .post(
            &format!("/hosting/{mine}/members/remove"),
            &[("user_id", &outsider_id)],
        )
        .await;
    assert_eq!(remove.status(), 422, "their member is not one of mine");
    let role = owner
        .post(
            &format!("/hosting/{mine}/members/role"),
            &[("user_id", &outsider_id), ("role", "admin")],
        )
        .await;
    assert_eq!(role.status(), 422);
    assert_eq!(team.snapshot(theirs).await, before, "nothing of theirs changed");
}
