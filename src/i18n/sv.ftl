# etjanst på svenska. Samma nycklar som en.ftl (ett test ser till det).

## Vad en e-tjänst erbjuder här
offer-fill = fyll i här och skriv ut: etjanst pdf { $handle } --answers FIL -o FIL.pdf
offer-partly-online = vissa frågor måste besvaras på webben
offer-blankett = blankett: etjanst blankett { $handle } -o FIL.pdf
offer-blankett-only = bara blankett: etjanst blankett { $handle } -o FIL.pdf
offer-web-only = bara på webben: { $place }
offer-needs-eid = kräver e-legitimation

## Att hitta e-tjänster
app-unknown = e-tjänsten "{ $name }" finns inte i katalogen; sök med: etjanst search { $name }
app-unknown-site = ingen hämtad katalog heter "{ $site }"; se etjanst flows, eller hämta den med etjanst sync --site ADRESS
app-not-on-site = e-tjänst { $id } finns inte i katalogen från { $site }
not-fillable = { $name } går inte att fylla i här. { $what }
site-not-stored = ingen hämtad katalog heter "{ $site }"; hämta den med: etjanst sync --site https://{ $host }
no-services-in-category = inga e-tjänster i kategorin "{ $category }" från { $site }
no-such-category = det finns ingen kategori "{ $category }"; kategorierna är: { $categories }
stored-catalogues = Hämtade kataloger (visa med --site NAMN):
stored-catalogue = { $name }: { $count } e-tjänster, { $site }
give-number = ange e-tjänstens nummer på webbplatsen
no-blankett-on-site = e-tjänst { $id } på { $site } har ingen blankett
no-blankett = { $name } har ingen blankett; skriv ut formuläret med etjanst pdf { $handle } --blank
category = Kategori: { $category }
on-several-sites = e-tjänst { $id } finns på flera webbplatser; välj en:
no-hits = Inga e-tjänster hittades.
fill-on-web = Fylls i på webben: { $place }
needs-eid-sentence = Kräver e-legitimation.

## Formulär
form-complete = Formuläret är komplett och giltigt.
form-errors = { $count } fel:
draft-remaining = Utkastet är giltigt så här långt. Kvar att fylla i innan det kan skrivas ut eller skickas ({ $count }):
form-incomplete = Formuläret är inte komplett; rätta först:
case-preview = Förhandsvisning: ärendenummer, status, inskickare, tider och fil-id sätts av kommunens server när ärendet skickas in, så de saknas här.
case-shown-utf8 = Visas som UTF-8; med -o FIL eller omdirigering blir det ISO-8859-1 som Open ePlatform skriver.
attachment-missing = bilagan "{ $name }" finns inte i { $dir }; ange mappen med --attachments, eller --no-file-content för att bara namnge filerna
give-answers-or-blank = ange --answers eller --blank
issue-row = rad { $row }

## Kataloger och paket
secret-key-written = Den hemliga nyckeln finns i { $file }. Den publika nyckeln, att ge till invånarnas --key:
site-address-needed = --site { $site }: ange webbplatsens adress, till exempel https://e-tjanster.kommun.se
plain-http = { $site } använder http utan kryptering; vem som helst på vägen kan ändra katalogen. Använd https om webbplatsen har det.
catalogue-unchanged = Katalogen från { $name } är oförändrad.
catalogue-updated = { $services } e-tjänster från { $name } ({ $icons } ikoner, { $blanketter } blanketter)
links-dropped = { $count } länkar i katalogen ledde inte till { $name }s egen webbplats och togs bort
files-left = { $count } ikoner och blanketter hämtas vid nästa synkning eller när e-tjänsten öppnas (--all-files hämtar allt nu, för användning utan nät)
key-pinned = { $name } har redan nyckeln { $key }; ange --replace-key om kommunen har bytt nyckel
key-needs-bundle = --key behöver --bundle första gången
fetching-bundle = Hämtar e-tjänstpaketet …
bundle-unchanged = E-tjänstpaketet från { $name } är oförändrat.
bundle-installed = { $count } filer i e-tjänstpaketet från { $name }
secret-exists = { $file } finns redan; en hemlig nyckel skrivs aldrig över. Välj ett annat filnamn, eller flytta den gamla nyckeln först
imported = importerade { $id }
catalogue-stored = { $count } e-tjänster från { $name }
import-links-dropped = { $count } länkar som inte ledde till { $site } togs bort
warning = varning
no-data-dir = hittar ingen datakatalog; ange --data-dir
bad-time = ogiltig tid "{ $time }" (ÅÅÅÅ-MM-DDTHH:MM:SS)
stage-catalogue = Hämtar katalogen
stage-icons = Hämtar ikoner
stage-blanketter = Hämtar blanketter
stage-saving = Sparar
step = Steg { $number }: { $name }
state-optional = valfri
state-required = obligatorisk
state-hidden = dold
field = fält { $name }
unlimited = obegränsat
rows = rader: { $min }–{ $max }
web-only-question = måste fyllas i på webben
rule = villkor { $id }: när { $alternatives } → { $targets } blir { $state }

## Utkastvalvet
vault-already-open = utkasten är redan öppna i ett annat fönster eller program; stäng det först och försök igen
vault-not-created = det finns inga sparade utkast på den här datorn ännu
vault-wrong-passphrase = fel lösenfras; inget har ändrats
vault-passphrase-needed = utkasten är skyddade med en lösenfras; ange den för att låsa upp
vault-keychain = nyckelringen: { $error }
vault-damaged = utkastet { $id } är skadat och kan inte öppnas; äldre versioner kan finnas kvar
vault-not-found = det finns inget utkast { $id }
vault-not-an-export = filen är inte ett exporterat etjanst-utkast
vault-weak-passphrase = lösenfrasen är för kort: använd minst { $min } tecken, gärna tre eller fyra vanliga ord med mellanslag (till exempel "blå cykel regnar fort")
vault-too-large = filen är större än { $max } MB och är inte ett utkast från etjanst
vault-unknown-flow = utkastet gäller e-tjänsten "{ $flow }", som inte finns på den här datorn; synka kommunens katalog först
vault-crypto = kryptering: { $error }
vault-db = databasen: { $error }

## Hämtning från webbplatser
sync-network = kunde inte nå { $url }: { $error }
sync-status = { $url } svarade { $status }
sync-catalogue = katalogen från { $url }: { $error }
sync-cancelled = hämtningen avbröts; den sparade katalogen är oförändrad
sync-too-large = { $url } skickade mer än { $limit } MB; hämtningen avbröts och den sparade katalogen är oförändrad
sync-too-many = katalogen från { $url } listar { $count } e-tjänster, fler än de { $max } en kommun kan ha; den sparade katalogen behålls
sync-deadline = hämtningen från { $url } tog längre än { $seconds } sekunder och avbröts; den sparade katalogen är oförändrad
sync-bad-site = { $site } är ingen webbadress (till exempel https://e-tjanster.kommun.se)

## E-tjänstpaket
bundle-not-a-bundle = paketet är inte ett etjanst-paket
bundle-bad-signature = paketets signatur stämmer inte med kommunens nyckel; det gamla paketet behålls
bundle-bad-key = ogiltig nyckel: { $error }
bundle-bad-file = filen { $path } i paketet är skadad; det gamla paketet behålls
bundle-bad-flow = e-tjänsten { $path } i paketet: { $error }
bundle-no-site = paketet anger ingen kommun (bygg det med --site); det gamla paketet behålls
bundle-foreign-site = paketet är gjort för { $bundle_site }, inte för { $site }; det gamla paketet behålls
bundle-stale = paketet (skapat { $created }) är inte nyare än det installerade (skapat { $installed }); det gamla paketet behålls
bundle-bad-date = paketets datum "{ $date }" går inte att läsa; det gamla paketet behålls
bundle-bad-name = "{ $name }" går inte att använda som namn på kommunen (ange --name med bokstäver eller siffror)

## Utkast på kommandoraden
passphrase-unreadable = kunde inte läsa lösenfrasen: { $error }
prompt-again = Skriv lösenfrasen igen:
passphrases-differ = lösenfraserna är inte lika
done = klart
progress-protecting = Skyddar utkasten med lösenfrasen
progress-unlocking = Låser upp utkasten
progress-encrypting = Krypterar filen
progress-opening = Öppnar filen
keychain-failed = nyckelringen gick inte att använda ({ $error }); välj en lösenfras
prompt-choose = Välj en lösenfras för dina utkast:
prompt-vault = Lösenfras för dina utkast:
prompt-file = Lösenfras för filen:
no-passphrase-given = ingen lösenfras angavs
draft-other-flow = utkastet { $id } gäller e-tjänsten { $draft_flow }, inte { $flow }
draft-saved-with-errors = Sparat, men rätta detta innan du skriver ut eller skickar in:
no-drafts = Inga sparade utkast.
draft-damaged-short = skadat, kan inte öppnas
draft-deleted = raderade { $id }
no-keychain = ingen nyckelring finns på den här datorn; ange en lösenfras med ETJANST_PASSPHRASE eller --passphrase-file
