//! `ksf backup` then `ksf restore` into a new database and data directory:
//! the restored portal serves the customer's pages and files.

use sqlx::{Connection, PgPool};

use crate::builders::UserBuilder;
use crate::helpers::*;

const EMAIL: &str = "restored@example.com";
const FILE: &[u8] = b"The contract, kept across the restore.";

/// Runs a `ksf` maintenance command against a database and data directory.
fn ksf(args: &[&str], database_url: &str, data_dir: &std::path::Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ksf"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("KSF_DATA_DIR", data_dir)
        .env("LEPTOS_ENV", "DEV")
        .output()
        .expect("ksf runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "ksf {args:?}: {text}");
    text
}

/// A customer's ticket with an attachment, through the portal.
async fn customer_with_a_file(app: &TestApp) -> (i64, uuid::Uuid) {
    UserBuilder::customer(EMAIL)
        .name("Restored Customer")
        .create(&app.pool)
        .await;
    let browser = app.browser();
    assert_eq!(browser.sign_in(EMAIL, CUSTOMER_PASSWORD).await.status(), 303);
    let form = reqwest::multipart::Form::new()
        .text("subject", "Keep my contract")
        .text("category", "technical")
        .text("priority", "normal")
        .text("account", "")
        .text("body", "Attached.")
        .text("intent", "send")
        .part(
            "files",
            reqwest::multipart::Part::bytes(FILE).file_name("contract.txt"),
        );
    let res = browser
        .client
        .post(format!("{}/support/new", browser.base))
        .header("origin", &browser.base)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    sqlx::query_as("SELECT t.number, a.id FROM tickets t JOIN ticket_attachments a ON a.ticket_id = t.id")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_backup_restored_into_a_new_database_serves_the_customer_and_their_files(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (number, file) = customer_with_a_file(&app).await;
    let source_url = database_url(&pool);
    let folder = tempfile::tempdir().unwrap();
    let printed = ksf(
        &["backup", "--to", &folder.path().display().to_string()],
        &source_url,
        &app._site.path().join("data"),
    );
    let backup = folder.path().join(
        printed
            .lines()
            .find_map(|l| l.strip_prefix("Backup written to "))
            .and_then(|p| std::path::Path::new(p.trim()).file_name())
            .expect("the backup's folder is printed"),
    );

    // A new, empty database and data directory, as on a fresh server.
    let name = format!("ksf_restored_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&pool)
        .await
        .unwrap();
    let restored_url = format!("{}/{name}", source_url.rsplit_once('/').unwrap().0);
    let data = tempfile::tempdir().unwrap();
    let printed = ksf(
        &["restore", "--from", &backup.display().to_string()],
        &restored_url,
        data.path(),
    );
    assert!(printed.contains("Restored the backup"), "{printed}");
    // Restoring twice is refused: the database is no longer empty.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_ksf"))
        .args(["restore", "--from", &backup.display().to_string()])
        .env("DATABASE_URL", &restored_url)
        .env("KSF_DATA_DIR", data.path())
        .env("LEPTOS_ENV", "DEV")
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has tables"));

    {
        let restored_pool = PgPool::connect(&restored_url).await.unwrap();
        let data_dir = data.path().display().to_string();
        let restored = spawn_app_with(restored_pool, &[("KSF_DATA_DIR", &data_dir)]).await;
        let browser = restored.browser();
        assert_eq!(browser.sign_in(EMAIL, CUSTOMER_PASSWORD).await.status(), 303);
        let page = browser.page(&format!("/support/{number}")).await;
        assert!(page.contains("Keep my contract"), "the ticket is there");
        assert!(page.contains("contract.txt"), "its file is listed");
        let download = browser.get(&format!("/support/{number}/files/{file}")).await;
        assert_eq!(download.status(), 200);
        assert_eq!(download.bytes().await.unwrap().as_ref(), FILE);
        restored.pool.close().await;
    }
    let mut admin = sqlx::PgConnection::connect(&source_url).await.unwrap();
    sqlx::query(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
}
