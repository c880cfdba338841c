//! The real `demo-rp` binary as a child process (killed on drop), and a cookie-keeping
//! HTTP walk through its sign-in with redirects off.

use super::mini_op::{CLIENT_ID, MiniOp};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running demo app.
pub struct Rp {
    /// Its base URL.
    pub url: String,
    child: Child,
    http: reqwest::Client,
    /// Everything it wrote to stderr so far.
    stderr: Arc<Mutex<String>>,
    /// The task that reads stderr; it ends when the process does.
    drain: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Rp {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// What the walk ended on.
#[derive(Debug)]
pub struct Outcome {
    /// The callback's HTTP status.
    pub status: u16,
    /// The home page after a successful callback, else the callback's body.
    pub page: String,
    /// The session cookie, if one was set.
    pub session: Option<String>,
}

impl Outcome {
    /// Signed in: 303 from the callback and `#user` on the home page.
    pub fn signed_in(&self) -> bool {
        self.status == 303 && self.page.contains("id=\"user\"")
    }

    /// Refused visibly: a 4xx with `#error`.
    pub fn refused(&self) -> bool {
        (400..500).contains(&self.status) && self.page.contains("id=\"error\"")
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `demo-rp` command for `op` with `extra` flags.
pub fn command(issuer: &str, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_demo-rp"));
    cmd.args([
        "--issuer",
        issuer,
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        "-s3cret",
    ])
    .args(["--groups-claim", "memberOf"])
    .args(extra)
    .env_remove("DEMO_RP_BUGS")
    .env("RUST_LOG", "warn")
    .stdin(Stdio::null())
    .kill_on_drop(true);
    cmd
}

fn cookie_of(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get(LOCATION)
        .unwrap_or_else(|| panic!("no Location on HTTP {}", resp.status()))
        .to_str()
        .unwrap()
        .to_string()
}

impl Rp {
    /// Starts the app against `op` (client_secret_basic) with these bugs.
    pub async fn start(op: &MiniOp, bugs: &[&str]) -> Rp {
        let mut flags = vec!["--auth-method", "client_secret_basic"];
        for b in bugs {
            flags.extend(["--bug", b]);
        }
        Rp::start_with(op, &flags).await
    }

    /// Starts the app against `op` with these flags and waits for its start-up line,
    /// which must name `op`'s issuer.
    pub async fn start_with(op: &MiniOp, flags: &[&str]) -> Rp {
        let (rp, line) = Rp::start_raw(op, flags).await;
        assert!(
            line.starts_with(&format!(
                "demo-rp listening on {} (issuer {}",
                rp.url, op.issuer
            )),
            "{line}"
        );
        rp
    }

    /// Starts the app against `op` with these flags; returns it and its start-up line.
    pub async fn start_raw(op: &MiniOp, flags: &[&str]) -> (Rp, String) {
        // The free port is released before the app binds it, so another test's listener
        // may take it first: try another port then, a few times.
        for _ in 0..4 {
            if let Some(started) = Rp::try_start_raw(op, flags).await {
                return started;
            }
        }
        Rp::try_start_raw(op, flags)
            .await
            .expect("demo-rp finds a free port")
    }

    /// One start; `None` when the port was taken before the app could bind it.
    async fn try_start_raw(op: &MiniOp, flags: &[&str]) -> Option<(Rp, String)> {
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let listen = format!("127.0.0.1:{port}");
        let mut extra = vec!["--listen", &listen, "--app-url", &url];
        extra.extend(flags);
        let mut child = command(&op.issuer, &extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Drained as it comes (a full pipe would block the app), kept, and echoed into
        // the test's captured output.
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let kept = stderr.clone();
        let drain = tokio::spawn(async move {
            while let Ok(Some(line)) = err_lines.next_line().await {
                eprintln!("demo-rp: {line}");
                let mut kept = kept.lock().unwrap();
                kept.push_str(&line);
                kept.push('\n');
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("demo-rp starts within 10 s")
            .unwrap();
        let Some(line) = line else {
            let _ = child.wait().await;
            let _ = drain.await;
            if stderr.lock().unwrap().contains("Address already in use") {
                return None;
            }
            panic!(
                "demo-rp prints its start-up line; stderr: {}",
                stderr.lock().unwrap()
            );
        };
        assert!(
            line.starts_with(&format!("demo-rp listening on {url} ")),
            "{line}"
        );
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Some((
            Rp {
                url,
                child,
                http,
                stderr,
                drain: Some(drain),
            },
            line,
        ))
    }

    /// How the process ended, once its stderr is read to the end; panics if it is
    /// still running after 10 s.
    pub async fn exited(&mut self) -> ExitStatus {
        let status = tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("demo-rp exits within 10 s")
            .unwrap();
        if let Some(drain) = self.drain.take() {
            tokio::time::timeout(Duration::from_secs(10), drain)
                .await
                .expect("stderr closes with the process")
                .unwrap();
        }
        status
    }

    /// What the app wrote to stderr so far (all of it after [`Rp::exited`]).
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// `GET {url}{path}` with an optional cookie.
    pub async fn get(&self, path_or_url: &str, cookie: Option<&str>) -> reqwest::Response {
        self.try_get(path_or_url, cookie).await.unwrap()
    }

    /// [`Rp::get`], keeping a failed connection as an error.
    pub async fn try_get(
        &self,
        path_or_url: &str,
        cookie: Option<&str>,
    ) -> reqwest::Result<reqwest::Response> {
        let target = if path_or_url.starts_with("http") {
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.url)
        };
        let mut req = self.http.get(target);
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        req.send().await
    }

    /// `/login`, then the OP: returns the flow cookie and the callback URL the OP sent.
    pub async fn start_sign_in(&self) -> (String, String) {
        let login = self.get("/login", None).await;
        assert_eq!(login.status(), 302);
        let flow = cookie_of(&login, "demo_rp_flow").expect("a flow cookie");
        let at_op = self.get(&location(&login), None).await;
        assert_eq!(at_op.status(), 302);
        (flow, location(&at_op))
    }

    /// Follows a callback URL with the flow cookie, then the home page if it signed in.
    pub async fn finish_sign_in(&self, flow: &str, callback: &str) -> Outcome {
        let resp = self.get(callback, Some(flow)).await;
        let status = resp.status().as_u16();
        if status == 303 {
            let session = cookie_of(&resp, "demo_rp_session").expect("a session cookie");
            let home = self.get(&location(&resp), Some(&session)).await;
            return Outcome {
                status,
                page: home.text().await.unwrap(),
                session: Some(session),
            };
        }
        Outcome {
            status,
            page: resp.text().await.unwrap(),
            session: None,
        }
    }

    /// The whole sign-in.
    pub async fn sign_in(&self) -> Outcome {
        let (flow, callback) = self.start_sign_in().await;
        self.finish_sign_in(&flow, &callback).await
    }
}
