//! `stickler idp`: serve the fake IdP in the foreground until Ctrl-C.

use crate::cli::IdpArgs;
use stickler_idp::{Profile, QUIRK_DOCS, QuirkOverrides, Quirks, TenantInfo, config, demo};

/// Runs the command; returns the exit code.
pub async fn run(args: IdpArgs) -> u8 {
    if args.list_quirks {
        print_quirks();
        return 0;
    }
    if !args.listen.ip().is_loopback() && args.admin_token.is_none() {
        eprintln!(
            "error: --listen {} is reachable beyond this machine; pass --admin-token TOKEN so that only you can reprogram the IdP",
            args.listen
        );
        return 2;
    }
    let overrides = match command_line_quirks(&args.quirks) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let specs = match &args.config {
        Some(path) => match config::load(path) {
            Ok(file) => file
                .tenants
                .into_iter()
                .map(|mut t| {
                    t.profile.get_or_insert(args.profile);
                    t
                })
                .collect(),
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        },
        None => Vec::new(),
    };
    let running = match stickler_idp::spawn(
        args.listen,
        args.public_url.clone(),
        args.admin_token.clone(),
    )
    .await
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return 3;
        }
    };
    let base = running.url();
    let specs = if specs.is_empty() {
        vec![demo::demo_tenant(&base, args.profile)]
    } else {
        specs
    };
    let mut infos = Vec::new();
    for mut spec in specs {
        spec.quirks.merge(&overrides);
        let name = spec.name.clone().unwrap_or_default();
        match running.idp.create_tenant(spec) {
            Ok(info) => infos.push(info),
            Err(e) => {
                let file = args
                    .config
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                eprintln!("error: {file}: tenant `{name}`: {e}");
                running.shutdown().await;
                return 2;
            }
        }
    }
    say!("Stickler IdP on {base} (admin API: {base}/admin/tenants)");
    for info in &infos {
        print_tenant(info, &base);
    }
    say!("\nPress Ctrl-C to stop.");
    wait_for_signal().await;
    running.shutdown().await;
    eprintln!("stopped");
    0
}

/// The `--quirk NAME=VALUE` arguments, in order (a later one wins).
fn command_line_quirks(args: &[String]) -> Result<QuirkOverrides, String> {
    let mut all = QuirkOverrides::default();
    for arg in args {
        let (name, value) = arg.split_once('=').ok_or_else(|| {
            format!("--quirk {arg}: expected NAME=VALUE, e.g. --quirk min_state_length=0")
        })?;
        let one = QuirkOverrides::one(name.trim(), value.trim())
            .map_err(|e| format!("--quirk {arg}: {e}"))?;
        all.merge(&one);
    }
    Ok(all)
}

fn print_tenant(info: &TenantInfo, base: &str) {
    say!("\nTenant `{}` (profile {})", info.name, info.profile);
    let home = if info.name == stickler_idp::DEFAULT_TENANT {
        format!("{base}/")
    } else {
        format!("{base}/t/{}/", info.name)
    };
    say!("  home:       {home}  (sign in, exchange the code, live journal)");
    say!("  issuer:     {}", info.issuer);
    say!("  discovery:  {}", info.discovery_url);
    let changed = changed_quirks(info);
    if !changed.is_empty() {
        say!("  quirks:     {}", changed.join(", "));
    }
    for c in &info.clients {
        say!(
            "  client:     {}  secret {}  auth {}  groups [{}]",
            c.client_id,
            if c.client_secret.is_empty() {
                "(public)"
            } else {
                &c.client_secret
            },
            c.token_endpoint_auth_method,
            c.groups.join(", ")
        );
        for r in &c.redirect_uris {
            say!("              redirect {r}");
        }
    }
    for u in &info.users {
        say!(
            "  user:       {} / {}  groups [{}]  sub {}",
            u.username,
            u.password,
            u.groups.join(", "),
            u.sub
        );
    }
    let catcher = format!("{base}/_stickler/callback");
    if let Some(c) = info
        .clients
        .iter()
        .find(|c| c.redirect_uris.contains(&catcher))
    {
        let authorize =
            if info.quirks.endpoint_layout == stickler_idp::quirks::EndpointLayout::Hydra {
                "/oauth2/auth"
            } else {
                "/authorize"
            };
        let mut url = url::Url::parse(&format!("{}{authorize}", info.issuer.trim_end_matches('/')))
            .expect("issuer is a URL");
        url.query_pairs_mut()
            .append_pair("client_id", &c.client_id)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid email profile")
            .append_pair("redirect_uri", &catcher)
            .append_pair("state", "try-it-by-hand")
            .append_pair("nonce", "nonce-by-hand");
        say!("  try it:     {url}");
    }
}

/// The quirks that differ from the tenant's profile, as `name = value`.
fn changed_quirks(info: &TenantInfo) -> Vec<String> {
    let now = serde_json::to_value(&info.quirks).unwrap_or_default();
    let base = serde_json::to_value(Quirks::for_profile(info.profile)).unwrap_or_default();
    QUIRK_DOCS
        .iter()
        .filter(|d| now[d.name] != base[d.name])
        .map(|d| format!("{} = {}", d.name, now[d.name]))
        .collect()
}

fn print_quirks() {
    let values: Vec<(Profile, serde_json::Value)> = Profile::ALL
        .iter()
        .map(|p| {
            (
                *p,
                serde_json::to_value(Quirks::for_profile(*p)).unwrap_or_default(),
            )
        })
        .collect();
    for d in QUIRK_DOCS {
        say!("{}", d.name);
        for (p, v) in &values {
            say!("  {:<13} {}", p.name(), v[d.name]);
        }
        for line in d.doc.trim().lines() {
            say!("  {}", line.trim());
        }
        say!();
    }
}

/// Waits for Ctrl-C or SIGTERM.
pub async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
