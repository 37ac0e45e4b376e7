//! Fixtures built the way the product makes them: users through the user
//! service, hosting accounts with their members and invitations. Each
//! builder states only what a test cares about.

use domain::{DisplayName, Email, MemberRole, Password, Role, StaffRole};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, CUSTOMER_PASSWORD};

/// A user with a confirmed address and the test password.
pub struct UserBuilder {
    email: String,
    name: String,
    role: Role,
    staff_role: Option<StaffRole>,
    verified: bool,
}

impl UserBuilder {
    pub fn customer(email: &str) -> Self {
        Self {
            email: email.into(),
            name: "Casey Customer".into(),
            role: Role::Customer,
            staff_role: None,
            verified: true,
        }
    }

    pub fn staff(email: &str) -> Self {
        Self {
            role: Role::Staff,
            staff_role: Some(StaffRole::Admin),
            name: "Sam Staff".into(),
            ..Self::customer(email)
        }
    }

    /// A customer who has not confirmed their address yet.
    pub fn unverified(mut self) -> Self {
        self.verified = false;
        self
    }

    /// Staff with `role` (`staff` makes admins).
    pub fn staff_role(mut self, role: StaffRole) -> Self {
        self.staff_role = Some(role);
        self
    }

    pub fn name(mut self, name: &str) -> Self {
        self.name = name.into();
        self
    }

    pub async fn create(self, pool: &PgPool) -> Uuid {
        services::users::create_user(
            pool,
            services::users::NewUser {
                email: Email::parse(&self.email).expect("a valid test email"),
                display_name: DisplayName::parse(&self.name).expect("a valid test name"),
                password: Password::parse(CUSTOMER_PASSWORD).expect("the test password"),
                role: self.role,
                staff_role: self.staff_role,
                email_verified: self.verified,
            },
            crate::helpers::TEST_HASH_COST,
        )
        .await
        .expect("test user created")
    }
}

/// A plan of the demo catalogue by code ("starter", "pro", "business").
pub async fn plan(pool: &PgPool, code: &str) -> Uuid {
    services::hosting::plans::seed_catalogue(pool)
        .await
        .expect("catalogue");
    sqlx::query_scalar("SELECT id FROM plans WHERE code = $1")
        .bind(code)
        .fetch_one(pool)
        .await
        .expect("a demo plan")
}

/// A plan priced 0 (made when missing): for tests that run without payments.
pub async fn free_plan(pool: &PgPool, code: &str) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO plans (code, name, storage_quota_bytes, bandwidth_quota_bytes, max_sites, price_minor, currency)
         VALUES ($1, $1, 5000000000, 50000000000, 3, 0, 'EUR')
         ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code RETURNING id",
    )
    .bind(code)
    .fetch_one(pool)
    .await
    .expect("a free plan")
}

/// A hosting account with members (setup, not the thing under test).
pub struct AccountBuilder {
    name: String,
    plan: String,
    domain: String,
    region: String,
    status: String,
    members: Vec<(Uuid, MemberRole)>,
    invitations: Vec<(String, MemberRole)>,
}

impl AccountBuilder {
    pub fn named(name: &str) -> Self {
        Self {
            name: name.into(),
            plan: "starter".into(),
            domain: "shop.example.com".into(),
            region: "eu-central".into(),
            status: "active".into(),
            members: Vec::new(),
            invitations: Vec::new(),
        }
    }

    pub fn owner(self, user: Uuid) -> Self {
        self.member(user, MemberRole::Owner)
    }

    pub fn member(mut self, user: Uuid, role: MemberRole) -> Self {
        self.members.push((user, role));
        self
    }

    pub fn invitation(mut self, email: &str, role: MemberRole) -> Self {
        self.invitations.push((email.into(), role));
        self
    }

    pub fn domain(mut self, domain: &str) -> Self {
        self.domain = domain.into();
        self
    }

    /// A plan of the demo catalogue by code (default "starter").
    pub fn plan(mut self, code: &str) -> Self {
        self.plan = code.into();
        self
    }

    pub fn region(mut self, region: &str) -> Self {
        self.region = region.into();
        self
    }

    pub fn suspended(mut self) -> Self {
        self.status = "suspended".into();
        self
    }

    pub fn cancelled(mut self) -> Self {
        self.status = "cancelled".into();
        self
    }

    /// The account, and the ids of its invitations in order.
    pub async fn create_with_invitations(self, pool: &PgPool) -> (Uuid, Vec<Uuid>) {
        let plan = plan(pool, &self.plan).await;
        let account: Uuid = sqlx::query_scalar(
            "INSERT INTO hosting_accounts (name, plan_id, primary_domain, region, status, suspended_reason)
             VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 'suspended' THEN 'Test suspension' END) RETURNING id",
        )
        .bind(&self.name)
        .bind(plan)
        .bind(&self.domain)
        .bind(&self.region)
        .bind(&self.status)
        .fetch_one(pool)
        .await
        .expect("test account");
        for (user, role) in &self.members {
            sqlx::query("INSERT INTO hosting_members (account_id, user_id, role) VALUES ($1, $2, $3)")
                .bind(account)
                .bind(user)
                .bind(role.as_str())
                .execute(pool)
                .await
                .expect("test member");
        }
        let mut invitations = Vec::new();
        for (email, role) in &self.invitations {
            let id: Uuid = sqlx::query_scalar(
                "INSERT INTO hosting_invitations (account_id, email, role, token_hash, expires_at)
                 VALUES ($1, $2, $3, $4, now() + interval '7 days') RETURNING id",
            )
            .bind(account)
            .bind(email)
            .bind(role.as_str())
            .bind(Uuid::new_v4().as_bytes().to_vec())
            .fetch_one(pool)
            .await
            .expect("test invitation");
            invitations.push(id);
        }
        (account, invitations)
    }

    pub async fn create(self, pool: &PgPool) -> Uuid {
        self.create_with_invitations(pool).await.0
    }
}

impl TestApp {
    /// A confirmed customer and a browser signed in as them.
    pub async fn customer(&self, email: &str, name: &str) -> (Uuid, crate::helpers::Browser) {
        let id = UserBuilder::customer(email).name(name).create(&self.pool).await;
        let browser = self.browser();
        let res = browser.sign_in(email, CUSTOMER_PASSWORD).await;
        assert_eq!(res.status(), 303, "{email} signed in");
        (id, browser)
    }

    /// A staff member and a browser signed in as them.
    pub async fn staff(&self, email: &str) -> (Uuid, crate::helpers::Browser) {
        let id = UserBuilder::staff(email).create(&self.pool).await;
        let browser = self.browser();
        let res = browser.sign_in(email, CUSTOMER_PASSWORD).await;
        assert_eq!(res.status(), 303, "{email} signed in");
        (id, browser)
    }
}
