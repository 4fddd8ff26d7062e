# etjanst in English. The same keys as sv.ftl (a test makes sure).

## What an e-service offers here
offer-fill = fill in here and print: etjanst pdf { $handle } --answers FILE -o FILE.pdf
offer-partly-online = some questions must be answered on the web
offer-blankett = paper form: etjanst blankett { $handle } -o FILE.pdf
offer-blankett-only = paper form only: etjanst blankett { $handle } -o FILE.pdf
offer-web-only = on the web only: { $place }
offer-needs-eid = needs e-ID

## Finding e-services
app-unknown = there is no e-service "{ $name }" in the catalogue; search with: etjanst search { $name }
app-unknown-site = no stored catalogue is called "{ $site }"; see etjanst flows, or fetch it with etjanst sync --site ADDRESS
app-not-on-site = e-service { $id } is not in the catalogue from { $site }
not-fillable = { $name } cannot be filled in here. { $what }
site-not-stored = no stored catalogue is called "{ $site }"; fetch it with: etjanst sync --site https://{ $host }
no-services-in-category = no e-services in the category "{ $category }" from { $site }
no-such-category = there is no category "{ $category }"; the categories are: { $categories }
stored-catalogues = Stored catalogues (show with --site NAME):
stored-catalogue = { $name }: { $count } e-services, { $site }
give-number = give the e-service's number on the site
no-blankett-on-site = e-service { $id } on { $site } has no paper form
no-blankett = { $name } has no paper form; print the form with etjanst pdf { $handle } --blank
category = Category: { $category }
on-several-sites = e-service { $id } is on several sites; choose one:
no-hits = No e-services found.
fill-on-web = Filled in on the web: { $place }
needs-eid-sentence = Needs e-ID.

## Forms
form-complete = The form is complete and valid.
form-errors = { $count } errors:
draft-remaining = The draft is valid so far. Still to fill in before it can be printed or sent ({ $count }):
form-incomplete = The form is not complete; correct first:
case-preview = Preview: the case number, status, poster, times and file ids are set by the municipality's server on submission, so they are missing here.
case-shown-utf8 = Shown as UTF-8; with -o FILE or a redirect it is ISO-8859-1, as Open ePlatform writes it.
attachment-missing = the attachment "{ $name }" is not in { $dir }; give its folder with --attachments, or --no-file-content to name the files only
give-answers-or-blank = give --answers or --blank
issue-row = row { $row }

## Catalogues and bundles
secret-key-written = The secret key is in { $file }. The public key, for citizens' --key:
site-address-needed = --site { $site }: give the site's address, for example https://e-tjanster.kommun.se
plain-http = { $site } uses http without encryption; anyone on the way can change the catalogue. Use https if the site has it.
catalogue-unchanged = The catalogue from { $name } is unchanged.
catalogue-updated = { $services } e-services from { $name } ({ $icons } icons, { $blanketter } paper forms)
links-dropped = { $count } links in the catalogue did not lead to { $name }'s own site and were removed
files-left = { $count } icons and paper forms are fetched at the next sync or when the e-service is opened (--all-files fetches everything now, for use without a network)
key-pinned = { $name } already has the key { $key }; give --replace-key if the municipality changed its key
key-needs-bundle = --key needs --bundle the first time
fetching-bundle = Fetching the bundle of e-services …
bundle-unchanged = The bundle from { $name } is unchanged.
bundle-installed = { $count } files in the bundle from { $name }
secret-exists = { $file } exists already; a secret key is never overwritten. Choose another file name, or move the old key first
imported = imported { $id }
catalogue-stored = { $count } e-services from { $name }
import-links-dropped = { $count } links that did not lead to { $site } were removed
warning = warning
no-data-dir = no data directory found; give --data-dir
bad-time = invalid time "{ $time }" (YYYY-MM-DDTHH:MM:SS)
stage-catalogue = Fetching the catalogue
stage-icons = Fetching icons
stage-blanketter = Fetching paper forms
stage-saving = Saving
step = Step { $number }: { $name }
state-optional = optional
state-required = required
state-hidden = hidden
field = field { $name }
unlimited = unlimited
rows = rows: { $min }–{ $max }
web-only-question = must be filled in on the web
rule = rule { $id }: when { $alternatives } → { $targets } becomes { $state }

## The draft vault
vault-already-open = the drafts are already open in another window or program; close it first and try again
vault-not-created = there are no saved drafts on this computer yet
vault-wrong-passphrase = wrong passphrase; nothing was changed
vault-passphrase-needed = the drafts are protected by a passphrase; give it to unlock them
vault-keychain = the keychain: { $error }
vault-damaged = the draft { $id } is damaged and cannot be opened; older versions may remain
vault-not-found = there is no draft { $id }
vault-not-an-export = the file is not an exported etjanst draft
vault-weak-passphrase = the passphrase is too short: use at least { $min } characters, preferably three or four ordinary words with spaces (for example "blue bicycle rains fast")
vault-too-large = the file is larger than { $max } MB and is not a draft from etjanst
vault-unknown-flow = the draft is for the e-service "{ $flow }", which is not on this computer; sync the municipality's catalogue first
vault-crypto = encryption: { $error }
vault-db = the database: { $error }

## Fetching from sites
sync-network = could not reach { $url }: { $error }
sync-status = { $url } answered { $status }
sync-catalogue = the catalogue from { $url }: { $error }
sync-cancelled = the fetch was cancelled; the stored catalogue is unchanged
sync-too-large = { $url } sent more than { $limit } MB; the fetch was stopped and the stored catalogue is unchanged
sync-too-many = the catalogue from { $url } lists { $count } e-services, more than the { $max } a municipality can have; the stored catalogue is kept
sync-deadline = fetching from { $url } took longer than { $seconds } seconds and was stopped; the stored catalogue is unchanged
sync-bad-site = { $site } is not a web address (for example https://e-tjanster.kommun.se)

## Bundles of e-services
bundle-not-a-bundle = the bundle is not an etjanst bundle
bundle-bad-signature = the bundle's signature does not match the municipality's key; the old bundle is kept
bundle-bad-key = invalid key: { $error }
bundle-bad-file = the file { $path } in the bundle is damaged; the old bundle is kept
bundle-bad-flow = the e-service { $path } in the bundle: { $error }
bundle-no-site = the bundle names no municipality (build it with --site); the old bundle is kept
bundle-foreign-site = the bundle is made for { $bundle_site }, not for { $site }; the old bundle is kept
bundle-stale = the bundle (made { $created }) is not newer than the installed one (made { $installed }); the old bundle is kept
bundle-bad-date = the bundle's date "{ $date }" cannot be read; the old bundle is kept
bundle-bad-name = "{ $name }" cannot be used as the municipality's name (give --name with letters or digits)

## Drafts on the command line
passphrase-unreadable = could not read the passphrase: { $error }
prompt-again = Type the passphrase again:
passphrases-differ = the passphrases are not the same
done = done
progress-protecting = Protecting the drafts with the passphrase
progress-unlocking = Unlocking the drafts
progress-encrypting = Encrypting the file
progress-opening = Opening the file
keychain-failed = the keychain could not be used ({ $error }); choose a passphrase
prompt-choose = Choose a passphrase for your drafts:
prompt-vault = Passphrase for your drafts:
prompt-file = Passphrase for the file:
no-passphrase-given = no passphrase was given
draft-other-flow = the draft { $id } is for the e-service { $draft_flow }, not { $flow }
draft-saved-with-errors = Saved, but correct this before you print or send it:
no-drafts = No saved drafts.
draft-damaged-short = damaged, cannot be opened
draft-deleted = deleted { $id }
no-keychain = there is no keychain on this computer; give a passphrase with ETJANST_PASSPHRASE or --passphrase-file
