//! Nothing secret reaches the logs: passwords, emailed tokens, session
//! cookies, two-factor seeds and codes stay out even at the most verbose
//! level. The `ksf` binary runs as in production (its own process and
//! logging, `RUST_LOG=trace`), so what is checked is what operators get.

use sqlx::PgPool;

use crate::helpers::{enable_two_factor, link_in, spawn_binary, token_of};

/// The log without each line's leading timestamp (its digits could match
/// a 6-digit code by chance).
fn without_timestamps(log: &str) -> String {
    log.lines()
        .map(|line| match line.split_once(' ') {
            Some((first, rest)) if first.len() > 20 && first.ends_with('Z') && first.contains('T') => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_full_account_flow_logs_no_secret(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("ksf.log");
    let app = spawn_binary(
        pool,
        &[("RUST_LOG", "trace,hyper=info,hyper_util=info,h2=info")],
        &log_path,
    )
    .await;
    let browser = app.browser();
    let first_password = "first secret passphrase";
    let new_password = "second secret passphrase";
    let wrong_password = "wrong secret passphrase";

    browser
        .post(
            "/signup",
            &[
                ("name", "Ana"),
                ("email", "ana@example.com"),
                ("password", first_password),
            ],
        )
        .await;
    let verify_token = token_of(&link_in(
        &app.last_email_to("ana@example.com").await.unwrap().1,
        "http://",
    ));
    browser.get(&format!("/verify-email?token={verify_token}")).await;
    let verified = browser.post("/verify-email", &[("token", &verify_token)]).await;
    let cookie = verified.headers()["set-cookie"].to_str().unwrap().to_string();
    let session_token = cookie
        .split(';')
        .next()
        .unwrap()
        .split('=')
        .nth(1)
        .unwrap()
        .to_string();
    browser.get("/").await;
    browser.post("/logout", &[]).await;
    browser
        .post(
            "/login",
            &[
                ("email", "ana@example.com"),
                ("password", wrong_password),
                ("next", "/"),
            ],
        )
        .await;
    browser
        .post("/forgot-password", &[("email", "ana@example.com")])
        .await;
    let reset_token = token_of(&link_in(
        &app.last_email_to("ana@example.com").await.unwrap().1,
        "http://",
    ));
    browser.get(&format!("/reset-password?token={reset_token}")).await;
    browser
        .post(
            "/reset-password",
            &[("token", &reset_token), ("password", new_password)],
        )
        .await;
    browser
        .post(
            "/login",
            &[
                ("email", "ana@example.com"),
                ("password", new_password),
                ("next", "/"),
            ],
        )
        .await;
    // Two-factor: the seed, a code and recovery codes are typed or shown.
    let two_factor = enable_two_factor(&app, &browser).await;
    let code = app.next_code(&two_factor.secret);
    let phone = app.browser();
    phone
        .post(
            "/login",
            &[
                ("email", "ana@example.com"),
                ("password", new_password),
                ("next", "/"),
            ],
        )
        .await;
    phone
        .post("/login/two-factor", &[("code", &code), ("next", "/")])
        .await;
    let laptop = app.browser();
    laptop
        .post(
            "/login",
            &[
                ("email", "ana@example.com"),
                ("password", new_password),
                ("next", "/"),
            ],
        )
        .await;
    let recovery_code = two_factor.recovery_codes[0].clone();
    let pending = laptop
        .post("/login/two-factor", &[("code", &recovery_code), ("next", "/")])
        .await;
    assert_eq!(pending.status(), 303, "signed in with a recovery code");

    let text = without_timestamps(&std::fs::read_to_string(&log_path).unwrap());
    assert!(
        text.contains("/verify-email"),
        "the flow was logged at all ({} bytes)",
        text.len()
    );
    for (what, secret) in [
        ("first password", first_password),
        ("new password", new_password),
        ("wrong password", wrong_password),
        ("verification token", verify_token.as_str()),
        ("reset token", reset_token.as_str()),
        ("session token", session_token.as_str()),
        ("two-factor seed", two_factor.secret.as_str()),
        ("recovery code", recovery_code.as_str()),
        ("unused recovery code", two_factor.recovery_codes[5].as_str()),
    ] {
        let line = text.lines().find(|l| l.contains(secret)).unwrap_or("");
        assert!(
            !text.contains(secret),
            "the {what} appears in the logs: {}",
            &line[..line.len().min(400)]
        );
    }
    // A 6-digit code: look for it standing alone, not inside a longer number.
    let standalone = text
        .match_indices(code.as_str())
        .filter(|(i, _)| {
            let before = text[..*i].chars().next_back();
            let after = text[i + code.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
        })
        .count();
    assert_eq!(standalone, 0, "the two-factor code {code} appears in the logs");
}

/// With `KSF_LOG_FORMAT=json`, each answer gets one access line that a log
/// collector can parse: the request id the answer's `X-Request-Id` names
/// (a proxy's own id is kept), the route template, the status.
#[sqlx::test(migrations = "../migrations")]
async fn json_access_lines_carry_the_request_id_each_answer_names(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("ksf.log");
    let app = spawn_binary(pool, &[("KSF_LOG_FORMAT", "json")], &log_path).await;
    let res = app.browser().get("/reset-password?token=emailed-secret").await;
    assert_eq!(res.status(), 200);
    let made = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(made.len(), 32, "{made}");
    let kept = app
        .client
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "from-the-proxy-7")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "from-the-proxy-7");

    let lines: Vec<serde_json::Value> = crate::helpers::eventually(
        "both access lines are written",
        std::time::Duration::from_secs(5),
        || {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            async move {
                let lines: Vec<serde_json::Value> = log
                    .lines()
                    .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                    .filter(|l| l["target"] == "ksf::access")
                    .collect();
                (lines.len() >= 2).then_some(lines)
            }
        },
    )
    .await;
    let line_of = |id: &str| {
        lines
            .iter()
            .find(|l| l["span"]["request_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no access line for {id}: {lines:?}"))
    };
    let page = line_of(&made);
    assert_eq!(page["status"], 200);
    assert_eq!(page["span"]["method"], "GET");
    assert_eq!(page["span"]["route"], "/reset-password");
    assert_eq!(line_of("from-the-proxy-7")["span"]["route"], "/healthz");
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(
        !log.contains("emailed-secret"),
        "the query string is never logged"
    );
    assert!(
        log.lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()),
        "every line is JSON"
    );
}
