//! A small real HTTP/1.1 server on 127.0.0.1 for sync tests: fixed routes, ETags, 304s,
//! failing the first requests, and dropping the connection half-way through a body.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct Route {
    pub content_type: String,
    pub body: Vec<u8>,
    pub etag: Option<String>,
    /// Answer 500 to this many requests first.
    pub fail_first: usize,
    /// Send half the body, then close the connection.
    pub drop_halfway: bool,
    /// Answer 302 to this address instead.
    pub redirect: Option<String>,
    /// Leave out Content-Length (the body ends when the connection closes), so that only
    /// a client reading as it goes can notice a body is too large.
    pub no_length: bool,
}

#[derive(Default)]
pub struct State {
    pub routes: HashMap<String, Route>,
    /// (path, If-None-Match) of every request, in order.
    pub requests: Vec<(String, Option<String>)>,
}

pub struct Server {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let state = shared.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut first = String::new();
                    if reader.read_line(&mut first).is_err() {
                        return;
                    }
                    let path = first.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let mut if_none_match = None;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                            break;
                        }
                        if let Some((k, v)) = line.split_once(':')
                            && k.eq_ignore_ascii_case("if-none-match")
                        {
                            if_none_match = Some(v.trim().to_string());
                        }
                    }
                    let route = {
                        let mut s = state.lock().unwrap();
                        s.requests.push((path.clone(), if_none_match.clone()));
                        match s.routes.get_mut(&path) {
                            Some(r) if r.fail_first > 0 => {
                                r.fail_first -= 1;
                                Err(500)
                            }
                            Some(r) => Ok(r.clone()),
                            None => Err(404),
                        }
                    };
                    let _ = match route {
                        Err(code) => write!(
                            stream,
                            "HTTP/1.1 {code} Fel\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        ),
                        Ok(Route {
                            redirect: Some(to), ..
                        }) => write!(
                            stream,
                            "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        ),
                        Ok(r) if r.etag.is_some() && r.etag == if_none_match => write!(
                            stream,
                            "HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n"
                        ),
                        Ok(r) => {
                            let mut head = format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nConnection: close\r\n",
                                r.content_type,
                            );
                            if !r.no_length {
                                head.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
                            }
                            if let Some(e) = &r.etag {
                                head.push_str(&format!("ETag: {e}\r\n"));
                            }
                            head.push_str("\r\n");
                            let body = if r.drop_halfway {
                                &r.body[..r.body.len() / 2]
                            } else {
                                &r.body[..]
                            };
                            stream
                                .write_all(head.as_bytes())
                                .and_then(|_| stream.write_all(body))
                        }
                    };
                    let _ = stream.flush();
                });
            }
        });
        Server { url, state }
    }

    pub fn route(&self, path: &str, route: Route) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_string(), route);
    }

    pub fn requests(&self) -> Vec<(String, Option<String>)> {
        self.state.lock().unwrap().requests.clone()
    }
}
