//! BankID's recommended user messages (RFA, `spec/eid-signing.md` §1.10): what a citizen is
//! told for each status and hint code, in Swedish and English.

/// The message code for a collect result. `autostarted` says whether the app was opened on
/// this computer (RFA13, RFA17A) or the QR code is shown (RFA1, RFA17B).
pub fn code(status: &str, hint: Option<&str>, autostarted: bool) -> &'static str {
    match (status, hint) {
        ("pending", Some("outstandingTransaction")) if autostarted => "RFA13",
        ("pending", Some("outstandingTransaction" | "noClient")) => "RFA1",
        ("pending", Some("started")) => "RFA15A",
        ("pending", Some("userMrtd")) => "RFA23",
        ("pending", Some("userSign")) => "RFA9",
        ("pending", _) => "RFA21",
        ("failed", Some("expiredTransaction")) => "RFA8",
        ("failed", Some("certificateErr")) => "RFA16",
        ("failed", Some("userCancel")) => "RFA6",
        ("failed", Some("cancelled")) => "RFA3",
        ("failed", Some("startFailed")) if autostarted => "RFA17A",
        ("failed", Some("startFailed")) => "RFA17B",
        ("complete", _) => "",
        _ => "RFA22",
    }
}

/// The text of a message code; English when `english`.
pub fn text(code: &str, english: bool) -> &'static str {
    let (sv, en) = match code {
        "RFA1" => ("Starta BankID-appen.", "Start your BankID app."),
        "RFA3" => (
            "Åtgärden avbruten. Försök igen.",
            "Action cancelled. Please try again.",
        ),
        "RFA4" => (
            "En identifiering eller underskrift för det här personnumret är redan påbörjad. Försök igen.",
            "An identification or signing for this personal number is already started. Please try again.",
        ),
        "RFA5" => (
            "Internt tekniskt fel. Försök igen.",
            "Internal error. Please try again.",
        ),
        "RFA6" => ("Åtgärden avbruten.", "Action cancelled."),
        "RFA8" => (
            "BankID-appen svarar inte. Kontrollera att den är startad och att du har internetanslutning. Om du inte har ett giltigt BankID kan du skaffa ett hos din bank. Försök sedan igen.",
            "The BankID app is not responding. Please check that it's started and that you have internet access. If you don't have a valid BankID you can get one from your bank. Try again.",
        ),
        "RFA9" => (
            "Skriv in din säkerhetskod i BankID-appen och välj Skriv under.",
            "Enter your security code in the BankID app and select Sign.",
        ),
        "RFA13" => (
            "Försöker starta BankID-appen.",
            "Trying to start your BankID app.",
        ),
        "RFA15A" => (
            "Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och inget BankID har hittats har du sannolikt inget BankID som går att använda för den aktuella identifieringen/underskriften i den här datorn. Om du har ett BankID-kort, sätt in det i kortläsaren. Om du inte har något BankID kan du skaffa ett hos din bank.",
            "Searching for BankID, it may take a little while … If a few seconds have passed and still no BankID has been found, you probably don't have a BankID which can be used for this identification/signing on this computer. If you have a BankID card, please insert it into your card reader. If you don't have a BankID you can get one from your bank.",
        ),
        "RFA16" => (
            "Det BankID du försöker använda är för gammalt eller spärrat. Använd ett annat BankID eller skaffa ett nytt hos din bank.",
            "The BankID you are trying to use is blocked or too old. Please use another BankID or get a new one from your bank.",
        ),
        "RFA17A" => (
            "Du verkar inte ha BankID-appen. Installera den och skaffa ett BankID hos din bank.",
            "The BankID app couldn't be found on your computer or mobile device. Please install it and get a BankID from your bank.",
        ),
        "RFA17B" => (
            "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden. Kontrollera att BankID-appen är uppdaterad. Om du inte har BankID-appen måste du installera den och skaffa ett BankID hos din bank.",
            "Failed to scan the QR code. Start the BankID app and scan the QR code. Check that the BankID app is up to date. If you don't have the BankID app, you need to install it and get a BankID from your bank.",
        ),
        "RFA21" => (
            "Identifiering eller underskrift pågår.",
            "Identification or signing in progress.",
        ),
        "RFA23" => (
            "Fotografera och läs av din ID-handling med BankID-appen.",
            "Process your machine-readable travel document using the BankID app.",
        ),
        _ => (
            "Okänt fel. Försök igen.",
            "Unknown error. Please try again.",
        ),
    };
    if english { en } else { sv }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_codes_map_to_the_official_messages() {
        assert_eq!(
            code("pending", Some("outstandingTransaction"), false),
            "RFA1"
        );
        assert_eq!(
            code("pending", Some("outstandingTransaction"), true),
            "RFA13"
        );
        assert_eq!(code("failed", Some("startFailed"), false), "RFA17B");
        assert_eq!(code("failed", Some("userCancel"), true), "RFA6");
        // BankID may add codes without notice.
        assert_eq!(code("pending", Some("somethingNew"), false), "RFA21");
        assert_eq!(code("failed", Some("somethingNew"), false), "RFA22");
        assert_eq!(text("RFA6", false), "Åtgärden avbruten.");
        assert_eq!(text("RFA6", true), "Action cancelled.");
    }
}
