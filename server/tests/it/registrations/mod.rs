//! Domain registration against the registrar stand-in (Namecheap's XML API,
//! reached only through the real client's base URL) and the Stripe
//! stand-in: search, buy, pay, registered once, live on `ksf dns`;
//! refusals refunded; bad input; who may buy.

mod auto_renew;
mod flow;
mod input;
mod manual;
mod renewals;
mod staff;
mod transfers;

use std::sync::Arc;
use std::time::Duration;

use services::registrations::namecheap::{Namecheap, NamecheapConfig};
use services::registrations::worker::{self, Outcome};
use services::registrations::RegistrationSettings;
use services::Deps;
use sqlx::PgPool;
use standin::registrar::{RegistrarStandin, DEV_API_KEY};
use uuid::Uuid;

use crate::billing::Shop;
use crate::builders::AccountBuilder;
use crate::helpers::*;

/// The portal with its Stripe and its registrar (both stand-ins).
pub struct Registry {
    pub shop: Shop,
    pub registrar: RegistrarStandin,
    pub deps: Deps,
}

/// The registrar stand-in on its own thread; answers its API URL.
fn start_registrar() -> (RegistrarStandin, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port for the registrar");
    listener.set_nonblocking(true).expect("non-blocking");
    let url = format!("http://{}/xml.response", listener.local_addr().expect("address"));
    let standin = RegistrarStandin::new(DEV_API_KEY, Duration::from_millis(20), None);
    let serving = standin.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("registrar runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let _ = axum::serve(listener, standin::registrar::router(serving)).await;
        });
    });
    (standin, url)
}

impl Registry {
    pub async fn new(pool: PgPool) -> Registry {
        Self::with(pool, false).await
    }

    /// The portal with the manual registrar: staff register names by hand.
    pub async fn manual(pool: PgPool) -> Registry {
        Self::with(pool, true).await
    }

    async fn with(pool: PgPool, manual: bool) -> Registry {
        let (registrar, url) = start_registrar();
        let env: &[(&str, &str)] = if manual {
            &[("KSF_REGISTRAR", "manual")]
        } else {
            &[
                ("NAMECHEAP_API_KEY", DEV_API_KEY),
                ("NAMECHEAP_API_USER", "ksf"),
                ("NAMECHEAP_CLIENT_IP", "127.0.0.1"),
                ("NAMECHEAP_API_BASE", url.as_str()),
            ]
        };
        let shop = Shop::with(pool, env).await;
        let client = Namecheap::new(NamecheapConfig {
            base_url: url,
            api_user: "ksf".into(),
            api_key: DEV_API_KEY.into(),
            user_name: "ksf".into(),
            client_ip: "127.0.0.1".into(),
        })
        .expect("client");
        let links = services::identity::Links {
            site_url: shop.app.base.clone(),
        };
        let deps = Deps {
            billing: shop.billing.clone(),
            registrations: RegistrationSettings {
                registrar: Some(if manual {
                    Arc::new(services::registrations::manual::Manual)
                } else {
                    Arc::new(client)
                }),
                balance_warning_minor: 5_000,
            },
            clock: shop.app.clock.clone(),
            ..services::demo::demo_deps(&shop.app.pool, &links)
        };
        Registry {
            shop,
            registrar,
            deps,
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.shop.app.pool
    }

    /// A customer owning an active account, signed in.
    pub async fn owner(&self, email: &str) -> (Uuid, Browser, Uuid) {
        let (user, browser) = self.shop.customer(email).await;
        let account = AccountBuilder::named("Shop")
            .owner(user)
            .create(self.pool())
            .await;
        (user, browser, account)
    }

    /// The buy form as a customer fills it in, with `changes` applied.
    pub async fn buy(
        &self,
        browser: &Browser,
        name: &str,
        account: Uuid,
        changes: &[(&str, &str)],
    ) -> reqwest::Response {
        let account = account.to_string();
        let mut form: Vec<(&str, &str)> = vec![
            ("name", name),
            ("account", &account),
            ("years", "1"),
            ("whois_privacy", "on"),
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("address1", "1 Analytical Way"),
            ("city", "Berlin"),
            ("state_province", "Berlin"),
            ("postal_code", "10115"),
            ("country", "DE"),
            ("phone", "+49 30 1234567"),
            ("email", "ada@example.com"),
        ];
        for (k, v) in changes {
            form.retain(|(key, _)| key != k);
            form.push((k, v));
        }
        browser.post("/domains/buy", &form).await
    }

    /// The newest order of `name`: (id, status).
    pub async fn order(&self, name: &str) -> (Uuid, String) {
        sqlx::query_as(
            "SELECT id, status FROM domain_orders WHERE name = $1 ORDER BY created_at DESC LIMIT 1",
        )
        .bind(name)
        .fetch_one(self.pool())
        .await
        .expect("an order")
    }

    /// Buys `name` and pays for it on the stand-in's Checkout page; the
    /// payment's webhook is applied. Answers the order.
    pub async fn bought(&self, browser: &Browser, name: &str, account: Uuid) -> Uuid {
        let res = self.buy(browser, name, account, &[]).await;
        self.pay_for(browser, res, name, "4242 4242 4242 4242").await
    }

    /// Buys `name` with automatic renewal, paying with `card` (saved).
    pub async fn bought_renewing(&self, browser: &Browser, name: &str, account: Uuid, card: &str) -> Uuid {
        let res = self.buy(browser, name, account, &[("auto_renew", "on")]).await;
        self.pay_for(browser, res, name, card).await
    }

    /// The transfer form as a customer fills it in.
    pub async fn transfer(
        &self,
        browser: &Browser,
        name: &str,
        account: Uuid,
        code: &str,
    ) -> reqwest::Response {
        let account = account.to_string();
        browser
            .post(
                "/domains/transfer",
                &[("name", name), ("account", &account), ("auth_code", code)],
            )
            .await
    }

    /// Orders the transfer of `name` and pays for it, as `bought` does.
    pub async fn transferred(&self, browser: &Browser, name: &str, account: Uuid, code: &str) -> Uuid {
        let res = self.transfer(browser, name, account, code).await;
        self.pay_for(browser, res, name, "4242 4242 4242 4242").await
    }

    /// Follows a placed order (`res`, the form's answer) to its page and
    /// pays on the stand-in's Checkout page; the webhook is applied.
    pub async fn pay_for(&self, browser: &Browser, res: reqwest::Response, name: &str, card: &str) -> Uuid {
        assert_eq!(res.status(), 303, "the order is placed");
        let (order, status) = self.order(name).await;
        assert_eq!(status, "awaiting_payment");
        assert_eq!(
            location(&res),
            format!("/domains/orders/{order}"),
            "sent to the order's page"
        );
        let page = browser.page(&location(&res)).await;
        assert!(
            page.contains(&format!(r#"href="{}/c/pay/"#, self.shop.stripe_url)),
            "its link to the payment page: {page}"
        );
        let session: String = sqlx::query_scalar("SELECT stripe_session_id FROM domain_orders WHERE id = $1")
            .bind(order)
            .fetch_one(self.pool())
            .await
            .unwrap();
        assert_eq!(self.shop.pay(&session, card).await.status(), 303);
        self.shop.settle().await;
        order
    }

    /// The registration worker's steps until nothing is due.
    pub async fn work(&self) -> Vec<Outcome> {
        worker::drain(&self.deps, &self.deps.registrations)
            .await
            .expect("the worker runs")
            .into_iter()
            .map(|(_, outcome)| outcome)
            .collect()
    }
}
