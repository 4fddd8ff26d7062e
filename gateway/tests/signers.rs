//! Several signers: both guardians of a child, or the applicant and the co-applicant, sign one
//! application in turn, on one computer or apart, and it becomes one case with a signature
//! event for each, in the order they signed; a declined or late signature files nothing.

mod common;

use std::time::Duration;

use common::signers::*;
use common::*;
use reqwest::Method;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_guardians_sign_in_turn_on_one_computer_and_one_case_lists_both() {
    let w = World::new().await;
    let c = Citizen::upload(&w.gateway, &w.http, upload_body("forskoleplats")).await;
    let started = c.sign(true).await;
    let v = sign_here(&w.sim, &w.store, &c, &started, ASA).await;
    assert_eq!(v["status"], "waiting", "{v}");
    assert_eq!(v["next"], "Vårdnadshavare 2");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("väntar på att Vårdnadshavare 2 skriver under"),
        "{v}"
    );
    assert_eq!(v["signers"][0]["signed"], true);
    assert_eq!(v["signers"][0]["name"], "Åsa Öberg");
    assert_eq!(v["signers"][1]["signed"], false);
    assert_eq!(v["signers"][1]["name"], "Jonas Öberg");
    // Asked again, it still waits: one signature is no case.
    assert_eq!(c.status().await.1["status"], "waiting");
    assert_eq!(w.store.count_cases().await.unwrap(), 0);

    // "Nu ska Vårdnadshavare 2 skriva under": an order for Jonas alone. Anyone else's BankID
    // (here Tolvan's) cannot take it.
    let started = c.sign(true).await;
    w.sim
        .phone(
            "autostart",
            serde_json::json!({ "autoStartToken": started["autoStartToken"] }),
        )
        .await;
    for _ in 0..3 {
        c.status().await;
    }
    let order = order_of(&w.store, &c.id).await;
    let (status, v) = w
        .sim
        .phone(
            "approve",
            serde_json::json!({ "orderRef": order.order_ref, "personalNumber": TOLVAN }),
        )
        .await;
    assert_eq!(status, 409, "{v}");
    let (status, v) = w
        .sim
        .phone(
            "approve",
            serde_json::json!({ "orderRef": order.order_ref, "personalNumber": JONAS }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let v = c.status().await.1;
    assert_eq!(v["status"], "complete", "{v}");
    let receipt = &v["receipt"];
    assert_eq!(receipt["signerName"], "Åsa Öberg");
    assert_eq!(receipt["signers"][0]["role"], "Sökande");
    assert_eq!(receipt["signers"][1]["role"], "Vårdnadshavare 2");
    assert_eq!(receipt["signers"][1]["name"], "Jonas Öberg");
    assert!(
        signed_text(&w.store, &c.id, 1)
            .await
            .contains("*Du skriver under som:* Vårdnadshavare 2")
    );
    assert_eq!(w.store.count_cases().await.unwrap(), 1);
    // Starting again files nothing more.
    let (status, v) = c
        .call(Method::POST, "/sign", Some(serde_json::json!({})))
        .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (409, Some("alreadySubmitted"))
    );

    // The case: two signing events, in the order signed, over the one PDF; Åsa posted it.
    let number = receipt["caseNumber"].as_str().unwrap();
    let (_, xml) = case_api(&w.http, &w.cases, &format!("getinstance/{number}/xml")).await;
    let text = latin1(&xml);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let header = child(doc.root_element(), "Header");
    assert_eq!(text_of(child(child(header, "Poster"), "Firstname")), "Åsa");
    let events: Vec<_> = child(doc.root_element(), "SigningEvents")
        .children()
        .filter(|n| n.has_tag_name("SignEvent"))
        .collect();
    assert_eq!(events.len(), 2);
    let names: Vec<String> = events
        .iter()
        .map(|e| text_of(child(child(*e, "Signer"), "Firstname")))
        .collect();
    assert_eq!(names, ["Åsa", "Jonas"]);
    let (_, pdf) = case_api(&w.http, &w.cases, &format!("getinstance/{number}/pdf")).await;
    for e in &events {
        assert_eq!(
            text_of(child(*e, "SignedChecksum")),
            etjanst::submit::sha256_hex(&pdf)
        );
    }
    let dates: Vec<String> = events.iter().map(|e| text_of(child(*e, "Date"))).collect();
    assert!(dates[0] <= dates[1], "{dates:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_co_applicant_signs_later_from_her_own_computer_with_the_code() {
    let w = World::new().await;
    co_applicant_signs_through_a_code(&w.sim, &w.store, &w.gateway, &w.gateway, &w.http).await;
    assert_eq!(w.store.count_cases().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_signature_files_nothing_and_the_applicant_is_told() {
    let w = World::new().await;
    let c = Citizen::upload(&w.gateway, &w.http, upload_body("forskoleplats")).await;
    let started = c.sign(true).await;
    sign_here(&w.sim, &w.store, &c, &started, ASA).await;
    let (status, _, guest) =
        open_code(&w.gateway, &w.http, &etjanst::submit::signing_code(&c.key)).await;
    assert_eq!(status, 200);
    // Not before BankID has said who is declining.
    let (status, _) = guest.call(Method::POST, "/sign/decline", None).await;
    assert_eq!(status, 403);
    let (_, v) = identify_as(&w.sim, &w.store, &guest, JONAS).await;
    assert_eq!(v["status"], "identified", "{v}");
    let (status, v) = guest.call(Method::POST, "/sign/decline", None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["hintCode"], "declined");

    let (_, v) = c.status().await;
    assert_eq!(v["status"], "failed", "{v}");
    assert_eq!(v["hintCode"], "declined");
    assert_eq!(
        v["message"],
        "Vårdnadshavare 2 har avböjt att skriva under. Ansökan har inte skickats in."
    );
    let (status, v) = c
        .call(Method::POST, "/sign", Some(serde_json::json!({})))
        .await;
    assert_eq!((status, v["error"].as_str()), (409, Some("declined")));
    let (status, _) = guest
        .call(Method::POST, "/sign", Some(serde_json::json!({})))
        .await;
    assert_eq!(status, 409);
    assert_eq!(w.store.count_cases().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_whose_signers_do_not_all_sign_in_time_expires() {
    let w = World::with(|s| s.pending_ttl = Duration::from_secs(2)).await;
    let c = Citizen::upload(&w.gateway, &w.http, upload_body("forskoleplats")).await;
    let started = c.sign(true).await;
    let v = sign_here(&w.sim, &w.store, &c, &started, ASA).await;
    assert_eq!(v["status"], "waiting", "{v}");
    let mut gone: (u16, Value) = (0, Value::Null);
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        gone = c.status().await;
        if gone.0 == 404 {
            break;
        }
    }
    assert_eq!(gone.0, 404, "{}", gone.1);
    let (status, _, _) =
        open_code(&w.gateway, &w.http, &etjanst::submit::signing_code(&c.key)).await;
    assert_eq!(status, 404);
    assert_eq!(w.store.count_cases().await.unwrap(), 0);
}
