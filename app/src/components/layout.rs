use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::islands::nav_toggle::{NavToggle, SIDEBAR_ID};

/// One entry of the main navigation: an area of the product.
struct Area {
    href: &'static str,
    label: &'static str,
    /// SVG path data (24×24 viewbox, stroked).
    icon: &'static str,
}

const AREAS: &[Area] = &[
    Area {
        href: "/",
        label: "Dashboard",
        icon: "M3 12l9-8 9 8M5 10v10h5v-6h4v6h5V10",
    },
    Area {
        href: "/hosting",
        label: "Hosting",
        icon: "M4 5h16v6H4zM4 13h16v6H4zM8 8h.01M8 16h.01",
    },
    Area {
        href: "/domains",
        label: "Domains",
        icon: "M12 3a9 9 0 100 18 9 9 0 000-18zM3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18",
    },
    Area {
        href: "/support",
        label: "Support",
        icon: "M4 5h16v11H9l-5 4z",
    },
    Area {
        href: "/billing",
        label: "Billing",
        icon: "M3 6h18v12H3zM3 10h18M7 15h4",
    },
    Area {
        href: "/settings",
        label: "Settings",
        icon:
            "M12 9a3 3 0 100 6 3 3 0 000-6zM12 2v3M12 19v3M2 12h3M19 12h3M5 5l2 2M17 17l2 2M5 19l2-2M17 7l2-2",
    },
];

/// Is `href` the area the visitor is in? The dashboard matches only `/`.
fn is_current(href: &str, path: &str) -> bool {
    if href == "/" {
        path == "/"
    } else {
        path == href || path.starts_with(&format!("{href}/"))
    }
}

/// The signed-in user's menu (a `<details>`, so it opens without
/// JavaScript), or a sign-in link.
#[component]
fn UserMenu() -> impl IntoView {
    match crate::api::current_user() {
        None => view! {
            <a class="btn btn-ghost btn-sm" href="/login">"Sign in"</a>
            <a class="btn btn-primary btn-sm" href="/signup">"Sign up"</a>
        }
        .into_any(),
        Some(user) => view! {
            <crate::islands::bell::NotificationBell/>
            <details class="user-menu">
                <summary class="btn btn-ghost btn-sm" aria-label=format!("{}, account menu", user.display_name)>
                    <span class="user-name">{user.display_name.clone()}</span>
                </summary>
                <div class="user-menu-panel">
                    <span class="muted">{user.email.clone()}</span>
                    <a href="/settings">"Settings"</a>
                    <a href="/invitations">"Invitations"</a>
                    <a href="/notifications">"Notifications"</a>
                    {(user.role == domain::Role::Staff).then(|| view! {
                        <a href="/staff/customers">"Staff: customers"</a>
                        <a href="/staff/accounts">"Staff: hosting accounts"</a>
                        <a href="/staff/zones">"Staff: DNS zones"</a>
                        <a href="/staff/tickets">"Staff: support queue"</a>
                        <a href="/staff/plans">"Staff: plans"</a>
                        <a href="/staff/billing">"Staff: Stripe events"</a>
                        <a href="/staff/domains">"Staff: domains"</a>
                        <a href="/staff/nodes">"Staff: hosting nodes"</a>
                        <a href="/staff/system">"Staff: system"</a>
                        <a href="/staff/team">"Staff: team and roles"</a>
                        <a href="/staff/audit">"Staff: audit log"</a>
                    })}
                    <form method="post" action="/logout">
                        <button class="btn btn-secondary btn-sm" type="submit">"Sign out"</button>
                    </form>
                </div>
            </details>
        }
        .into_any(),
    }
}

/// While staff view as a customer: whose view it is, that nothing can be
/// changed, when it ends, and the way out. On every page.
#[component]
fn ViewingBanner() -> impl IntoView {
    let user = crate::api::current_user()?;
    let by = user.viewed_by?;
    let day = by.until.rem_euclid(86_400);
    let until = format!("{:02}:{:02} UTC", day / 3600, day % 3600 / 60);
    Some(view! {
        <div class="view-as-banner" role="status" data-testid="view-as-banner">
            <p>
                <strong>{format!("Viewing as {} ({})", user.display_name, user.email)}</strong>
                {format!(" — read-only, by {}, until {until}. Nothing you do here changes their account.", by.staff_name)}
            </p>
            <form method="post" action="/staff/view-as/end" data-full-page="">
                <button class="btn btn-secondary btn-sm" type="submit">"End the view"</button>
            </form>
        </div>
    })
}

/// The frame around every page: header, navigation and the main column.
#[component]
pub fn AppLayout(children: Children) -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    let links = AREAS
        .iter()
        .map(|area| {
            // Always rendered: the islands router only adds or updates
            // attributes when it swaps pages, it never removes them.
            let current = if is_current(area.href, &path) {
                "page"
            } else {
                "false"
            };
            view! {
                <li>
                    <a href=area.href aria-current=current class="nav-link">
                        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
                            <path d=area.icon/>
                        </svg>
                        <span>{area.label}</span>
                    </a>
                </li>
            }
        })
        .collect_view();

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <ViewingBanner/>
        <div class="app-frame">
            <header class="topbar">
                // Named even on a phone, where only the mark shows.
                <a class="brand" href="/" aria-label=crate::PRODUCT_NAME>
                    <span class="brand-mark" aria-hidden="true">"K"</span>
                    <span class="brand-name">{crate::PRODUCT_NAME}</span>
                </a>
                <div class="topbar-end">
                    <UserMenu/>
                    <NavToggle/>
                </div>
            </header>
            <nav id=SIDEBAR_ID class="sidebar" aria-label="Main" data-open="false">
                <ul class="nav-list">{links}</ul>
            </nav>
            <main id="main" class="content" tabindex="-1">
                <crate::components::toast::NoticeToast/>
                {children()}
            </main>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::is_current;

    #[test]
    fn dashboard_is_current_only_at_the_root() {
        assert!(is_current("/", "/"));
        assert!(!is_current("/", "/hosting"));
    }

    #[test]
    fn an_area_is_current_for_its_sub_pages_but_not_for_lookalikes() {
        assert!(is_current("/hosting", "/hosting"));
        assert!(is_current("/hosting", "/hosting/42"));
        assert!(!is_current("/hosting", "/hostingfoo"));
    }
}
