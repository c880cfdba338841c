//! The IdP's memory under load: `cargo bench -p stickler-idp --bench memory`.
//!
//! Each case runs in a fresh child process (this binary again, with
//! `STICKLER_MEMORY_CASE` set) so that its peak RSS (`VmHWM` in `/proc/self/status`) is
//! its own; the IdP and its HTTP client share that process, so the figure covers both.
//!
//! - `flows`: 30,000 code flows (authorize + login + token with an RS256 ID token) on
//!   one jumpcloud tenant, 8 at a time;
//! - `big_state`: 3,000 authorization requests each with a 60 kB `state`, every
//!   other one left waiting at the login form (pending) and the rest signed in.
//!
//! Target: a peak under 32 MB each, whatever the traffic: the caps in `limits.rs` bound
//! the journal, pending logins, codes and tokens. Without `--bench` (as under
//! `cargo test --all-targets`) each case runs a hundredth of the work as a smoke test.
//! Prints a human-readable report, then one JSON line.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use stickler_idp::Profile;
use stickler_idp::demo::demo_tenant;

#[path = "support/flow.rs"]
mod flow;
use flow::flow;
const TARGET_KB: u64 = 32 * 1024;
const CONCURRENCY: usize = 8;

fn main() {
    if let Ok(case) = std::env::var("STICKLER_MEMORY_CASE") {
        let scale: usize = std::env::var("STICKLER_MEMORY_SCALE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        run_case(&case, scale);
        return;
    }
    // `cargo bench` passes `--bench`; anything else is the quick pass.
    let full = std::env::args().any(|a| a == "--bench");
    let scale = if full { 1 } else { 100 };
    let exe = std::env::current_exe().expect("own path");
    let mut report = Vec::new();
    for (case, what) in [
        ("flows", format!("{} code flows", 30_000 / scale)),
        (
            "big_state",
            format!("{} logins with a 60 kB state", 3_000 / scale),
        ),
    ] {
        let out = Command::new(&exe)
            .env("STICKLER_MEMORY_CASE", case)
            .env("STICKLER_MEMORY_SCALE", scale.to_string())
            .output()
            .expect("run a memory case");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "case {case} failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("peak_kb "))
            .expect("the case reports its peak");
        let mut parts = line.split_whitespace();
        let peak: u64 = parts.next().unwrap().parse().unwrap();
        let secs: f64 = parts.next().unwrap().parse().unwrap();
        println!(
            "{what}: peak RSS {:.1} MB in {secs:.1} s (target < {} MB) {}",
            peak as f64 / 1024.0,
            TARGET_KB / 1024,
            if peak < TARGET_KB { "ok" } else { "OVER" }
        );
        report.push(format!(
            "\"{case}\": {{\"peak_rss_kb\": {peak}, \"secs\": {secs:.2}}}"
        ));
        if full {
            assert!(peak < TARGET_KB, "{what}: peak RSS {peak} kB over target");
        }
    }
    println!("{{{}}}", report.join(", "));
}

fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn run_case(case: &str, scale: usize) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        let running = stickler_idp::spawn("127.0.0.1:0".parse().unwrap(), None, None)
            .await
            .expect("spawn");
        running
            .idp
            .create_tenant(demo_tenant(&running.url(), Profile::Jumpcloud))
            .expect("demo tenant");
        let base = running.url();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .expect("client");
        let (total, state_len, exchange) = match case {
            "flows" => (30_000 / scale, 16, true),
            "big_state" => (3_000 / scale, 60 * 1024, false),
            other => panic!("unknown case {other}"),
        };
        let left = Arc::new(AtomicUsize::new(total));
        let t0 = Instant::now();
        let mut workers = Vec::new();
        for w in 0..CONCURRENCY {
            let (http, base, left) = (http.clone(), base.clone(), left.clone());
            workers.push(tokio::spawn(async move {
                let state: String = format!("{w}").repeat(state_len);
                while let Ok(n) =
                    left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                {
                    // Without an exchange, every other login stays pending.
                    let sign_in = exchange || n % 2 == 0;
                    flow(&http, &base, &state, sign_in, exchange)
                        .await
                        .unwrap_or_else(|e| panic!("flow failed: {e}"));
                }
            }));
        }
        for w in workers {
            w.await.expect("worker");
        }
        let secs = t0.elapsed().as_secs_f64();
        println!("peak_kb {} {secs:.2}", peak_kb());
        running.shutdown().await;
    });
}
