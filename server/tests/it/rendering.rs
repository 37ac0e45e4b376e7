//! Pages keep rendering while another server of the same process starts
//! (the cause of the suite's old "render that never finished": see
//! `startup::route_list`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;

use crate::builders::AccountBuilder;
use crate::helpers::*;

#[sqlx::test(migrations = "../migrations")]
async fn pages_render_while_other_servers_start(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (ana, browser) = app.customer("ana@example.com", "Ana").await;
    let account = AccountBuilder::named("Shop").owner(ana).create(&app.pool).await;
    let page = format!("/hosting/{account}");

    // The account page waits for a resource; six browsers keep asking
    // for it while forty more servers (and their routers) are built.
    let starting = Arc::new(AtomicBool::new(true));
    async fn request_loop(browser: &Browser, page: &str, starting: &AtomicBool) -> usize {
        {
            let mut rendered = 0;
            while starting.load(Ordering::Relaxed) {
                let res = tokio::time::timeout(Duration::from_secs(10), browser.get(page))
                    .await
                    .unwrap_or_else(|_| panic!("a render never finished (after {rendered} that did)"));
                assert_eq!(res.status(), 200);
                rendered += 1;
            }
            rendered
        }
    }
    let requests = futures::future::join_all((0..6).map(|_| request_loop(&browser, &page, &starting)));
    // On a thread of their own: starting a test server blocks its caller.
    let stop = starting.clone();
    let servers = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            for _ in 0..40 {
                drop(spawn_app(pool.clone()).await);
            }
        });
        stop.store(false, Ordering::Relaxed);
    });
    let rendered: usize = requests.await.into_iter().sum();
    servers.join().expect("the servers started");
    eprintln!("rendered {rendered} pages while 40 servers started");
    assert!(rendered > 0);
}
