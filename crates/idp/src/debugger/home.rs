//! The home page of a tenant (`/` for the root tenant, `/t/<name>/` for the others): its
//! issuer, discovery URL and endpoints, its clients with a "sign in" button each, its
//! users, and a link to its live journal.
//!
//! Stable element ids and classes (documented in the README's "Page elements"):
//! `#tenant-home` (with `data-tenant`), `#profile`, `#issuer`, `#discovery-url`,
//! `#quirks-changed`, `#device-authorization-endpoint` and `#device-verification` (where
//! the tenant serves the device grant), `#secrets-hidden`, `#clients` with one `tr.client` per client
//! (`data-client-id`; cells `.client-secret`, `.auth-method`; the button
//! `button.sign-in-client`, or `.no-callback` when the client has not registered the
//! built-in callback), `#users` with one `tr.user` per user (`data-username`; cells
//! `.password`, `.sub`), `#journal-link`, and on `/` the list `#tenants`.

use super::{CALLBACK_PATH, layout, masked, page, trusted};
use crate::quirks::{QUIRK_DOCS, Quirks};
use crate::server::Idp;
use crate::tenant::{DEFAULT_TENANT, EndpointPaths, Tenant};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, html};
use std::sync::Arc;

/// `GET /`: the root tenant's home page, and (for whoever may see the admin API) the
/// other tenants.
pub async fn root(State(idp): State<Arc<Idp>>, req: Request) -> Response {
    let shows_secrets = trusted(&idp, req.headers(), req.uri());
    let others: Vec<String> = if shows_secrets {
        idp.tenants()
            .iter()
            .filter(|t| t.name != DEFAULT_TENANT)
            .map(|t| t.name.clone())
            .collect()
    } else {
        Vec::new()
    };
    let tenants = html! {
        @if shows_secrets {
            h2 { "Tenants" }
            @if others.is_empty() {
                p id="tenants" class="muted" { "No other tenant." }
            } @else {
                ul id="tenants" {
                    @for name in &others {
                        li { a href=(format!("/t/{name}/")) { (name) } }
                    }
                }
            }
        }
    };
    match idp.tenant(DEFAULT_TENANT) {
        Some(t) => {
            let body = html! { (tenant_body(&idp, &t, shows_secrets)) (tenants) };
            Html(layout("Home", body).into_string()).into_response()
        }
        None => page(
            StatusCode::OK,
            "Home",
            html! {
                h1 { "Stickler IdP" }
                p id="no-root-tenant" {
                    "No tenant is served at the root. Tenants live at "
                    code { (idp.base_url) "/t/<name>/" } "."
                }
                (tenants)
            },
        ),
    }
}

/// `GET /t/<name>/`: a tenant's home page.
pub fn tenant_page(idp: &Idp, tenant: &Tenant, req: &Request) -> Response {
    let shows_secrets = trusted(idp, req.headers(), req.uri());
    let body = tenant_body(idp, tenant, shows_secrets);
    Html(layout(&format!("Tenant {}", tenant.name), body).into_string()).into_response()
}

fn tenant_body(idp: &Idp, tenant: &Tenant, shows_secrets: bool) -> Markup {
    let info = tenant.info();
    let paths = EndpointPaths::of(info.quirks.endpoint_layout);
    let callback = format!("{}{CALLBACK_PATH}", idp.base_url);
    let changed = changed_quirks(&info.quirks, info.profile);
    let journal = format!("/_stickler/journal/{}", tenant.name);
    html! {
        div id="tenant-home" data-tenant=(tenant.name) {
            h1 { "Stickler IdP · tenant " code { (tenant.name) } }
            dl {
                dt { "Profile" } dd id="profile" { (info.profile) " — " (info.profile.summary()) }
                dt { "Issuer" } dd { code id="issuer" { (info.issuer) } }
                dt { "Discovery" } dd { a id="discovery-url" href=(info.discovery_url) { (info.discovery_url) } }
                dt { "Authorization" } dd { code { (tenant.url(paths.authorize)) } }
                dt { "Token" } dd { code { (tenant.url(paths.token)) } }
                dt { "Userinfo" } dd { code { (tenant.url(paths.userinfo)) } }
                dt { "JWKS" } dd { code { (tenant.url(paths.jwks)) } }
                @if info.quirks.device_flow {
                    dt { "Device authorization" } dd { code id="device-authorization-endpoint" { (tenant.url(paths.device_authorization)) } }
                    dt { "Device verification page" } dd { a id="device-verification" href=(tenant.url(paths.device_verify)) { (tenant.url(paths.device_verify)) } }
                }
                dt { "Quirks changed" } dd id="quirks-changed" {
                    @if changed.is_empty() { span class="muted" { "none: the profile as it is" } }
                    @else { code { (changed.join(", ")) } }
                }
            }
            @if !shows_secrets {
                p id="secrets-hidden" class="muted" {
                    "Client secrets and passwords are hidden, and the journal needs the admin token: this page follows the admin API's access rule (loopback or the --public-url host without --admin-token; the admin token with it)."
                }
            }
            h2 { "Clients" }
            table id="clients" {
                thead { tr { th { "client_id" } th { "secret" } th { "token endpoint auth" } th { "redirect URIs" } th { "groups" } th { "" } } }
                tbody {
                    @for c in &info.clients {
                        tr class="client" data-client-id=(c.client_id) {
                            td { code { (c.client_id) } br; span class="muted" { (c.name) } }
                            td class="client-secret" {
                                @if c.client_secret.is_empty() { span class="muted" { "(public)" } }
                                @else if shows_secrets { code { (c.client_secret) } }
                                @else { code { (masked(&c.client_secret)) } }
                            }
                            td class="auth-method" { code { (c.token_endpoint_auth_method) } }
                            td { @for r in &c.redirect_uris { code { (r) } br; } }
                            td { (c.groups.join(", ")) }
                            td {
                                @if c.redirect_uris.contains(&callback) {
                                    form method="post" action="/_stickler/sign-in" {
                                        input type="hidden" name="tenant" value=(tenant.name);
                                        input type="hidden" name="client_id" value=(c.client_id);
                                        button class="sign-in-client" type="submit" data-client-id=(c.client_id) { "Sign in" }
                                    }
                                } @else {
                                    span class="no-callback muted" { "Register " code { (callback) } " as a redirect URI to sign in from here." }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Users" }
            table id="users" {
                thead { tr { th { "username" } th { "password" } th { "sub" } th { "email" } th { "groups" } } }
                tbody {
                    @for u in &info.users {
                        tr class="user" data-username=(u.username) {
                            td { code { (u.username) } }
                            td class="password" {
                                @if shows_secrets { code { (u.password) } }
                                @else { span class="muted" { "hidden" } }
                            }
                            td class="sub" { code { (u.sub) } }
                            td { (u.email) }
                            td { (u.groups.join(", ")) }
                        }
                    }
                }
            }
            h2 { "Journal" }
            p { a id="journal-link" href=(journal) { "Every request this tenant received, live" } }
        }
    }
}

/// The quirks that differ from the profile, as `name = value`.
fn changed_quirks(quirks: &Quirks, profile: crate::profiles::Profile) -> Vec<String> {
    let now = serde_json::to_value(quirks).unwrap_or_default();
    let base = serde_json::to_value(Quirks::for_profile(profile)).unwrap_or_default();
    QUIRK_DOCS
        .iter()
        .filter(|d| now[d.name] != base[d.name])
        .map(|d| format!("{} = {}", d.name, now[d.name]))
        .collect()
}
