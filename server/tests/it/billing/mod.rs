//! Billing against the Stripe stand-in, reached only through the real
//! client's base URL: checkout, signed webhooks stored once and applied in
//! any order, plan changes, cancellation, past due and suspension, and who
//! may do what.

mod checkout;
mod dashboard;
mod isolation;
mod lifecycle;
mod webhooks;

use services::billing::{stripe::Gateway, webhook_queue, BillingSettings};
use sqlx::PgPool;
use standin::{Standin, StandinConfig, Switches};
use uuid::Uuid;

use crate::builders::UserBuilder;
use crate::helpers::*;

pub const SECRET: &str = "whsec_test_billing";

/// The portal and its Stripe (the stand-in), each on a runtime of its own.
pub struct Shop {
    pub app: TestApp,
    pub standin: Standin,
    pub stripe_url: String,
    pub billing: BillingSettings,
}

/// Starts the stand-in on its own thread, sending webhooks to `portal`.
fn start_standin(portal: &str) -> (Standin, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port for the stand-in");
    listener.set_nonblocking(true).expect("non-blocking");
    let addr = listener.local_addr().expect("address");
    let url = format!("http://{addr}");
    let config = StandinConfig {
        listen: addr,
        public_url: url.clone(),
        webhook_url: Some(format!("{portal}/webhooks/stripe")),
        webhook_secret: SECRET.into(),
        state_file: None,
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("stand-in runtime");
        runtime.block_on(async move {
            let standin = Standin::start(config);
            let _ = tx.send(standin.clone());
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let _ = standin::serve(listener, standin, std::future::pending()).await;
        });
    });
    (rx.recv().expect("the stand-in started"), url)
}

impl Shop {
    pub async fn new(pool: PgPool) -> Shop {
        Self::with(pool, &[]).await
    }

    pub async fn with(pool: PgPool, extra: &[(&str, &str)]) -> Shop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let site = format!("127.0.0.1:{port}");
        let (standin, stripe_url) = start_standin(&format!("http://{site}"));
        let mut vars = vec![
            ("LEPTOS_SITE_ADDR", site.as_str()),
            ("STRIPE_SECRET_KEY", "sk_test_billing_tests"),
            ("STRIPE_API_BASE", stripe_url.as_str()),
            ("STRIPE_WEBHOOK_SECRET", SECRET),
        ];
        vars.extend_from_slice(extra);
        let app = spawn_app_with(pool, &vars).await;
        let billing = BillingSettings {
            stripe: Some(Gateway::new("sk_test_billing_tests", Some(&stripe_url)).expect("client")),
            webhook_secret: Some(SECRET.into()),
            grace_days: 14,
            ..BillingSettings::default()
        };
        services::hosting::plans::seed_catalogue(&app.pool)
            .await
            .expect("catalogue");
        services::billing::plans::sync(&app.pool, &billing)
            .await
            .expect("plans priced");
        Shop {
            app,
            standin,
            stripe_url,
            billing,
        }
    }

    /// A confirmed customer and their signed-in browser.
    pub async fn customer(&self, email: &str) -> (Uuid, Browser) {
        let id = UserBuilder::customer(email).create(&self.app.pool).await;
        let browser = self.app.browser();
        assert_eq!(browser.sign_in(email, CUSTOMER_PASSWORD).await.status(), 303);
        (id, browser)
    }

    pub async fn plan(&self, code: &str) -> Uuid {
        crate::builders::plan(&self.app.pool, code).await
    }

    /// Creates an account on `plan` through the form: answers the account
    /// and its order (the browser is sent to the order's page).
    pub async fn buy(&self, browser: &Browser, name: &str, plan: &str) -> (Uuid, Uuid) {
        let plan = self.plan(plan).await.to_string();
        let res = browser
            .post(
                "/hosting/new",
                &[
                    ("name", name),
                    ("plan", &plan),
                    ("primary_domain", "shop.example.com"),
                    ("region", "eu-west"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let to = location(&res);
        let order = Uuid::parse_str(
            to.strip_prefix("/billing/orders/")
                .expect("sent to the order page"),
        )
        .unwrap();
        let account: Uuid = sqlx::query_scalar("SELECT account_id FROM orders WHERE id = $1")
            .bind(order)
            .fetch_one(&self.app.pool)
            .await
            .unwrap();
        (account, order)
    }

    /// The order's Checkout Session id.
    pub async fn session(&self, order: Uuid) -> String {
        sqlx::query_scalar("SELECT stripe_session_id FROM orders WHERE id = $1")
            .bind(order)
            .fetch_one(&self.app.pool)
            .await
            .expect("a checkout session")
    }

    /// Pays on the stand-in's hosted checkout page, as the browser would.
    pub async fn pay(&self, session: &str, card: &str) -> reqwest::Response {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(format!("{}/c/pay/{session}", self.stripe_url))
            .form(&[("card", card), ("email", "x@example.com")])
            .send()
            .await
            .expect("the stand-in answers")
    }

    pub fn switches(&self, switches: Switches) {
        *self.standin.outbox.switches.lock().unwrap() = switches;
    }

    /// Every event the stand-in made so far, oldest first.
    pub fn sent_events(&self) -> Vec<serde_json::Value> {
        self.standin.read(|s| s.events.clone())
    }

    /// Waits until every event the stand-in made is stored by the portal,
    /// then applies them all (the worker's job, done here at once).
    pub async fn settle(&self) -> usize {
        let ids: Vec<String> = self
            .sent_events()
            .iter()
            .filter_map(|e| e["id"].as_str().map(str::to_string))
            .collect();
        let pool = &self.app.pool;
        eventually(
            "every webhook the stand-in sent is stored",
            std::time::Duration::from_secs(15),
            || {
                let ids = &ids;
                async move {
                    let stored: i64 =
                        sqlx::query_scalar("SELECT count(*) FROM stripe_events WHERE id = ANY($1)")
                            .bind(ids)
                            .fetch_one(pool)
                            .await
                            .unwrap();
                    (stored as usize == ids.len()).then_some(())
                }
            },
        )
        .await;
        self.drain().await
    }

    pub async fn drain(&self) -> usize {
        webhook_queue::drain(&self.app.pool, &self.billing, self.app.clock.now())
            .await
            .expect("events applied")
    }

    pub async fn account_status(&self, account: Uuid) -> String {
        sqlx::query_scalar("SELECT status FROM hosting_accounts WHERE id = $1")
            .bind(account)
            .fetch_one(&self.app.pool)
            .await
            .unwrap()
    }

    /// The account's subscription as the portal has it: (status, plan code,
    /// amount, cancel at period end).
    pub async fn subscription(&self, account: Uuid) -> Option<(String, Option<String>, i64, bool)> {
        sqlx::query_as(
            "SELECT s.status, p.code, s.amount_minor, s.cancel_at_period_end FROM subscriptions s
             LEFT JOIN plans p ON p.id = s.plan_id WHERE s.account_id = $1 ORDER BY s.created_at DESC LIMIT 1",
        )
        .bind(account)
        .fetch_optional(&self.app.pool)
        .await
        .unwrap()
    }

    pub async fn emails_of_kind(&self, to: &str, kind: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM email_outbox WHERE lower(to_address) = lower($1) AND kind = $2",
        )
        .bind(to)
        .bind(kind)
        .fetch_one(&self.app.pool)
        .await
        .unwrap()
    }

    /// A customer with an active, paid account on `plan`.
    pub async fn subscribed(&self, email: &str, plan: &str) -> (Uuid, Browser, Uuid) {
        let (user, browser) = self.customer(email).await;
        let (account, order) = self.buy(&browser, "Paid Shop", plan).await;
        let session = self.session(order).await;
        assert_eq!(self.pay(&session, "4242 4242 4242 4242").await.status(), 303);
        self.settle().await;
        assert_eq!(self.account_status(account).await, "active");
        (user, browser, account)
    }
}
