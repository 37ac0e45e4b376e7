use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, Meta, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::components::layout::AppLayout;
use crate::pages::{
    activity::ActivityPage,
    billing::{
        order::OrderPage, overview::BillingPage, plan_change::PlanChangePage, staff::StaffBillingPage,
    },
    dashboard::DashboardPage,
    dev_mailbox::DevMailboxPage,
    dns::{zone::DomainPage, DomainsPage},
    errors::{ErrorPage, NotFoundPage},
    hosting::{
        account::HostingAccountPage,
        activity::{AccountActivityPage, ActivityFeedPage},
        list::HostingListPage,
        new::{EditHostingAccountPage, NewHostingAccountPage},
    },
    identity::{
        password::{ForgotPasswordPage, ResetPasswordPage},
        second_factor::{ConfirmIdentityPage, SecondFactorPage},
        sign_in::SignInPage,
        sign_up::{SignUpPage, SignUpSentPage},
        verify::{ConfirmEmailChangePage, VerifyEmailPage},
    },
    invitations::{AcceptInvitationPage, InvitationsPage},
    notifications::NotificationsPage,
    operations::SystemPage,
    registrations::{BuyDomainPage, DomainOrderPage, DomainSearchPage, StaffDomainsPage, TransferDomainPage},
    sessions::SessionsPage,
    settings::SettingsPage,
    staff::StaffPlansPage,
    tickets::{list::SupportPage, new::NewTicketPage, queue::StaffTicketsPage, ticket::TicketPage},
    two_factor::TwoFactorPage,
};

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <AutoReload options=options.clone()/>
                // Before the islands router (see the file for why).
                <script src="/router-guard.js"></script>
                <script src="/error-report.js" defer></script>
                <HydrationScripts options=options.clone() islands=true islands_router=true/>
                <HashedStylesheet options id="leptos"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| {
            if page.is_empty() {
                crate::PRODUCT_NAME.to_string()
            } else {
                format!("{page} · {}", crate::PRODUCT_NAME)
            }
        }/>
        <Meta name="description" content="Customer portal and control panel for KSFoundation hosting."/>
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Router>
            <AppLayout>
                <ErrorBoundary fallback=|errors| view! { <ErrorPage errors/> }>
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("") view=DashboardPage ssr=SsrMode::Async/>
                        <Route path=path!("hosting") view=HostingListPage ssr=SsrMode::Async/>
                        <Route path=path!("hosting/new") view=NewHostingAccountPage ssr=SsrMode::Async/>
                        <Route path=path!("hosting/:id") view=HostingAccountPage ssr=SsrMode::Async/>
                        <Route path=path!("hosting/:id/edit") view=EditHostingAccountPage ssr=SsrMode::Async/>
                        <Route path=path!("hosting/:id/activity") view=AccountActivityPage ssr=SsrMode::Async/>
                        <Route path=path!("activity") view=ActivityFeedPage ssr=SsrMode::Async/>
                        <Route path=path!("invitations") view=InvitationsPage ssr=SsrMode::Async/>
                        <Route path=path!("invitations/accept") view=AcceptInvitationPage ssr=SsrMode::Async/>
                        <Route path=path!("notifications") view=NotificationsPage ssr=SsrMode::Async/>
                        <Route path=path!("staff/plans") view=StaffPlansPage ssr=SsrMode::Async/>
                        <Route path=path!("staff/customers") view=crate::pages::customers::CustomersPage ssr=SsrMode::Async/>
                        <Route path=path!("staff/customers/:customer") view=crate::pages::customers::customer::CustomerPage ssr=SsrMode::Async/>
                        <Route path=path!("staff/nodes") view=crate::pages::sites::nodes::NodesPage ssr=SsrMode::Async/>
                        <Route path=path!("staff/system") view=SystemPage ssr=SsrMode::Async/>
                        <Route path=path!("staff/team") view=crate::pages::team::TeamPage ssr=SsrMode::Async/>
                        <Route path=path!("staff/accounts") view=crate::pages::platform::StaffAccountsPage ssr=SsrMode::Async/>
                        <Route path=path!("staff/zones") view=crate::pages::platform::StaffZonesPage ssr=SsrMode::Async/>
                        <Route path=path!("staff/audit") view=crate::pages::audit::AuditPage ssr=SsrMode::Async/>
                        <Route path=path!("staff/domains") view=StaffDomainsPage ssr=SsrMode::Async/>
                        <Route path=path!("domains") view=DomainsPage ssr=SsrMode::Async/>
                        <Route path=path!("domains/search") view=DomainSearchPage ssr=SsrMode::Async/>
                        <Route path=path!("domains/buy") view=BuyDomainPage ssr=SsrMode::Async/>
                        <Route path=path!("domains/transfer") view=TransferDomainPage ssr=SsrMode::Async/>
                        <Route path=path!("domains/orders/:id") view=DomainOrderPage ssr=SsrMode::Async/>
                        <Route path=path!("domains/:name") view=DomainPage ssr=SsrMode::Async/>
                        <Route path=path!("support") view=SupportPage ssr=SsrMode::Async/>
                        <Route path=path!("support/new") view=NewTicketPage ssr=SsrMode::Async/>
                        <Route path=path!("support/:number") view=TicketPage ssr=SsrMode::Async/>
                        <Route path=path!("staff/tickets") view=StaffTicketsPage ssr=SsrMode::Async/>
                        <Route path=path!("billing") view=BillingPage ssr=SsrMode::Async/>
                        <Route path=path!("billing/orders/:id") view=OrderPage ssr=SsrMode::Async/>
                        <Route path=path!("hosting/:id/plan") view=PlanChangePage ssr=SsrMode::Async/>
                        <Route path=path!("staff/billing") view=StaffBillingPage ssr=SsrMode::Async/>
                        <Route path=path!("settings") view=SettingsPage/>
                        <Route path=path!("settings/sessions") view=SessionsPage ssr=SsrMode::Async/>
                        <Route path=path!("settings/activity") view=ActivityPage ssr=SsrMode::Async/>
                        <Route path=path!("settings/export") view=crate::pages::export::ExportPage ssr=SsrMode::Async/>
                        <Route path=path!("settings/two-factor") view=TwoFactorPage ssr=SsrMode::Async/>
                        <Route path=path!("login") view=SignInPage/>
                        <Route path=path!("login/two-factor") view=SecondFactorPage/>
                        <Route path=path!("confirm-identity") view=ConfirmIdentityPage/>
                        <Route path=path!("signup") view=SignUpPage/>
                        <Route path=path!("signup/sent") view=SignUpSentPage/>
                        <Route path=path!("verify-email") view=VerifyEmailPage/>
                        <Route path=path!("forgot-password") view=ForgotPasswordPage/>
                        <Route path=path!("reset-password") view=ResetPasswordPage/>
                        <Route path=path!("confirm-email") view=ConfirmEmailChangePage/>
                        <Route path=path!("dev/mailbox") view=DevMailboxPage ssr=SsrMode::Async/>
                    </Routes>
                </ErrorBoundary>
            </AppLayout>
        </Router>
    }
}
