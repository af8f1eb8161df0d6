//! A minimal W3C WebDriver client over plain HTTP (chromedriver on loopback).
//! Only the handful of commands the UI tests use.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Where Debian installs the browser and its driver.
pub fn find_browser() -> Option<(PathBuf, PathBuf)> {
    let which = |names: &[&str]| -> Option<PathBuf> {
        for n in names {
            for dir in ["/usr/bin", "/usr/local/bin", "/usr/lib/chromium"] {
                let p = Path::new(dir).join(n);
                if p.is_file() {
                    return Some(p);
                }
            }
        }
        None
    };
    Some((
        which(&["chromium", "chromium-browser", "google-chrome"])?,
        which(&["chromedriver"])?,
    ))
}

pub struct Driver {
    base: String,
    session: String,
    child: Child,
    _profile: tempfile::TempDir,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl Driver {
    /// Start chromedriver on a free loopback port and open a headless session.
    pub fn start(chromium: &Path, chromedriver: &Path) -> Result<Driver, String> {
        let port = free_port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", chromedriver.display()))?;
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            let ready = agent()
                .get(format!("{base}/status"))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                break;
            }
            if started.elapsed() > Duration::from_secs(20) {
                return Err("chromedriver did not become ready in 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            // Console messages (CSP violations among them) for `browser_log`.
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=en-US",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        }}});
        let mut driver = Driver {
            base,
            session: String::new(),
            child,
            _profile: profile,
        };
        let v = driver.call("POST", "/session", Some(caps))?;
        driver.session = v["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {v}"))?
            .to_string();
        Ok(driver)
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{}", self.base, path);
        let resp = match method {
            "GET" => agent().get(&url).call(),
            "DELETE" => agent().delete(&url).call(),
            _ => agent().post(&url).send_json(body.unwrap_or(json!({}))),
        };
        let mut resp = resp.map_err(|e| format!("{method} {path}: {e}"))?;
        let status = resp.status().as_u16();
        let v: Value = resp
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_json()
            .map_err(|e| format!("{method} {path}: {e}"))?;
        if status >= 400 {
            return Err(format!(
                "{method} {path}: {status} {}",
                v["value"]["message"].as_str().unwrap_or("")
            ));
        }
        Ok(v["value"].clone())
    }

    fn s(&self, path: &str) -> String {
        format!("/session/{}{}", self.session, path)
    }

    pub fn goto(&self, url: &str) -> Result<(), String> {
        self.call("POST", &self.s("/url"), Some(json!({"url": url})))
            .map(|_| ())
    }

    pub fn find(&self, css: &str) -> Result<String, String> {
        let v = self.call(
            "POST",
            &self.s("/element"),
            Some(json!({"using": "css selector", "value": css})),
        )?;
        v[ELEMENT_KEY]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("no element id for {css}"))
    }

    /// Poll until `css` matches (and, with `text`, until its text contains it).
    pub fn wait_for(
        &self,
        css: &str,
        text: Option<&str>,
        timeout: Duration,
    ) -> Result<String, String> {
        let started = Instant::now();
        let mut last = String::new();
        loop {
            if let Ok(id) = self.find(css) {
                match text {
                    None => return Ok(id),
                    Some(t) => {
                        last = self.text(&id).unwrap_or_default();
                        if last.contains(t) {
                            return Ok(id);
                        }
                    }
                }
            }
            if started.elapsed() > timeout {
                return Err(format!(
                    "timed out waiting for {css:?}{} (last text: {last:?})",
                    text.map(|t| format!(" containing {t:?}"))
                        .unwrap_or_default()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn click(&self, element: &str) -> Result<(), String> {
        self.call(
            "POST",
            &self.s(&format!("/element/{element}/click")),
            Some(json!({})),
        )
        .map(|_| ())
    }

    pub fn clear(&self, element: &str) -> Result<(), String> {
        self.call(
            "POST",
            &self.s(&format!("/element/{element}/clear")),
            Some(json!({})),
        )
        .map(|_| ())
    }

    pub fn type_text(&self, element: &str, text: &str) -> Result<(), String> {
        self.call(
            "POST",
            &self.s(&format!("/element/{element}/value")),
            Some(json!({"text": text})),
        )
        .map(|_| ())
    }

    pub fn text(&self, element: &str) -> Result<String, String> {
        Ok(self
            .call("GET", &self.s(&format!("/element/{element}/text")), None)?
            .as_str()
            .unwrap_or("")
            .to_string())
    }

    pub fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value, String> {
        self.call(
            "POST",
            &self.s("/execute/sync"),
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Run `script` as the body of an async function: it finishes by calling
    /// its last argument with the result.
    pub fn execute_async(&self, script: &str, args: Vec<Value>) -> Result<Value, String> {
        self.call(
            "POST",
            &self.s("/execute/async"),
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Resize the window so that the page's `innerWidth` is `width` CSS pixels.
    pub fn set_viewport(&self, width: u32, height: u32) -> Result<(), String> {
        let mut outer = width;
        for _ in 0..3 {
            self.call(
                "POST",
                &self.s("/window/rect"),
                Some(json!({"width": outer, "height": height})),
            )?;
            let inner = self
                .execute("return window.innerWidth", vec![])?
                .as_u64()
                .unwrap_or(0) as u32;
            if inner == width {
                return Ok(());
            }
            // Headless windows have no frame, but allow for one (scroll bar, border).
            outer = (i64::from(outer) + i64::from(width) - i64::from(inner)).max(200) as u32;
        }
        Err(format!("cannot make the viewport {width} px wide"))
    }

    /// Press and release each key in `keys` (a WebDriver key string: plain
    /// characters, or `\u{E004}` for Tab), sent to whatever has the focus.
    pub fn press_keys(&self, keys: &str) -> Result<(), String> {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|c| {
                let k = c.to_string();
                [
                    json!({"type": "keyDown", "value": k}),
                    json!({"type": "keyUp", "value": k}),
                ]
            })
            .collect();
        self.call(
            "POST",
            &self.s("/actions"),
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .map(|_| ())
    }

    /// The browser console since the last call (chromedriver's log endpoint):
    /// `(level, message)` pairs.
    pub fn browser_log(&self) -> Result<Vec<(String, String)>, String> {
        let entries = self.call("POST", &self.s("/se/log"), Some(json!({"type": "browser"})))?;
        Ok(entries
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        (
                            e["level"].as_str().unwrap_or("").to_string(),
                            e["message"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self, path: &Path) -> Result<(), String> {
        let b64 = self.call("GET", &self.s("/screenshot"), None)?;
        let bytes = base64_decode(b64.as_str().unwrap_or("")).ok_or("bad base64 screenshot")?;
        std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.call("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let clean: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    Some(out)
}
