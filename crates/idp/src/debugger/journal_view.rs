//! The live journal of one tenant (`/_stickler/journal/<name>`): a page whose small
//! script polls the admin API's journal (`/admin/tenants/<name>/journal?since=N`) every
//! second and appends each new request. The data therefore follows the admin API's
//! access rule; secrets are masked in the journal itself. With `--admin-token` the page
//! asks for the token and sends it as a bearer token (kept in the tab's session storage).
//!
//! Stable element ids (README "Page elements"): `#journal-view` (with `data-tenant`),
//! `#journal-status`, `#admin-token` (only when the IdP has an admin token),
//! `#journal-entries` with one `tr.journal-entry` per request (`data-seq`; cells
//! `.seq`, `.time`, `.method`, `.endpoint`, `.status`, `.outcome`, `.error`,
//! `.client`, `.params`).

use super::page;
use crate::server::{Idp, JsonPath};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{PreEscaped, html};
use std::sync::Arc;

/// The page of one tenant's journal.
fn render(idp: &Idp, name: &str) -> Response {
    if idp.tenant(name).is_none() {
        return page(
            StatusCode::NOT_FOUND,
            "Journal",
            html! { h1 { "Journal" } p id="journal-status" class="err" { "There is no tenant '" (name) "' on this IdP." } },
        );
    }
    let home = if name == crate::tenant::DEFAULT_TENANT {
        "/".to_string()
    } else {
        format!("/t/{name}/")
    };
    page(
        StatusCode::OK,
        &format!("Journal of {name}"),
        html! {
            div id="journal-view" data-tenant=(name) {
                h1 { "Journal of tenant " code { (name) } }
                p { a href=(home) { "Tenant home" } " · every request the tenant received, newest last; secrets masked as " code { "***(length)" } "." }
                @if idp.admin_token.is_some() {
                    p { label for="admin-token" { "Admin token " } input id="admin-token" type="password" autocomplete="off"; }
                }
                p id="journal-status" class="muted" { "loading…" }
                table {
                    thead { tr { th { "#" } th { "time" } th { "method" } th { "endpoint" } th { "status" } th { "outcome" } th { "error" } th { "client" } th { "parameters" } } }
                    tbody id="journal-entries" {}
                }
            }
            script { (PreEscaped(SCRIPT)) }
        },
    )
}

/// `GET /_stickler/journal/<tenant>`: the page (404 for an unknown tenant).
pub async fn view(State(idp): State<Arc<Idp>>, JsonPath(name): JsonPath<String>) -> Response {
    render(&idp, &name)
}

const SCRIPT: &str = r#"(function () {
  const view = document.getElementById('journal-view');
  const tenant = view.dataset.tenant;
  const rows = document.getElementById('journal-entries');
  const status = document.getElementById('journal-status');
  const token = document.getElementById('admin-token');
  let since = 0, busy = false;
  if (token) {
    token.value = sessionStorage.getItem('stickler-admin-token') || '';
    token.addEventListener('change', function () {
      sessionStorage.setItem('stickler-admin-token', token.value);
      poll();
    });
  }
  function cell(tr, cls, text) {
    const td = document.createElement('td');
    td.className = cls;
    td.textContent = text == null ? '' : String(text);
    tr.appendChild(td);
  }
  function say(text, cls) { status.textContent = text; status.className = cls; }
  async function poll() {
    if (busy) return;
    busy = true;
    try {
      const headers = {};
      if (token && token.value) headers['Authorization'] = 'Bearer ' + token.value;
      const r = await fetch('/admin/tenants/' + encodeURIComponent(tenant) + '/journal?since=' + since,
                            { headers: headers, cache: 'no-store' });
      const body = await r.json();
      if (!r.ok) {
        say((body.error || r.status) + ': ' + (body.error_description || ''), 'err');
        return;
      }
      for (const e of body) {
        const tr = document.createElement('tr');
        tr.className = 'journal-entry';
        tr.dataset.seq = e.seq;
        cell(tr, 'seq', e.seq);
        cell(tr, 'time', new Date(Number(e.at_ms)).toISOString().slice(11, 23));
        cell(tr, 'method', e.method);
        cell(tr, 'endpoint', e.endpoint);
        cell(tr, 'status', e.status);
        cell(tr, 'outcome', e.outcome);
        cell(tr, 'error', e.error ? e.error + (e.error_description ? ': ' + e.error_description : '') : '');
        cell(tr, 'client', [e.client_id, e.client_auth].filter(Boolean).join(' · '));
        const p = Object.assign({}, e.params);
        if (e.location) p.location = e.location;
        cell(tr, 'params', Object.keys(p).map(function (k) { return k + '=' + p[k]; }).join('\n'));
        rows.appendChild(tr);
        since = Math.max(since, e.seq);
      }
      say('live: ' + rows.children.length + ' requests shown, checked at ' + new Date().toLocaleTimeString(), 'ok');
    } catch (err) {
      say('cannot read the journal: ' + err, 'err');
    } finally {
      busy = false;
    }
  }
  poll();
  setInterval(poll, 1000);
})();"#;
