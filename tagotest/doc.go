// Package tagotest is an in-memory fake of the TagoIO API for tests, demos and load
// tests: a real HTTP server on the loopback interface (net/http/httptest, no external
// process) that stores accounts, profiles, devices, tokens, data, dashboards,
// integrations, analyses, actions, secrets, access policies, files, entities, TagoSQL
// queries, notifications, dictionaries, templates, TagoCore instances and TagoRUN users
// in memory and answers with the platform's {"status", "result"} envelopes. It is built from the
// platform's public API description, not from canned answers: a filter filters, a
// deleted token stops working, a POST that was applied stays applied.
//
// # Usage
//
// In a test, [NewServer] starts a server that is closed when the test ends. It has one
// profile, whose account token is [Server.AccountToken], plus a network and a connector
// ([DefaultNetworkID], [DefaultConnectorID]) to create plain HTTPS devices with. Seed
// what the test needs, point the code under test at [Server.URL], and assert on what
// the fake holds afterwards:
//
//	func TestGatewaySendsReadings(t *testing.T) {
//		srv := tagotest.NewServer(t)
//		dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})
//
//		runGateway(t, srv.URL, dev.Token) // the code under test
//
//		got := srv.Data(dev.ID)
//		if len(got) != 3 || got[0].Variable != "temperature" {
//			t.Fatalf("stored %+v", got)
//		}
//	}
//
// Outside tests (a quickstart, an example program), [Start] does the same and the caller
// calls [Server.Close].
//
// Seeding helpers: [Server.AddProfile] (a profile of another account),
// [Server.AddDevice] (returns the device's ID and first token; DeviceSpec.SerieNumber
// sets the DevEUI a network resolves), [Server.AddDeviceToken], [Server.AddParams],
// [Server.AddData] (and
// [Server.AddForeignData] for records another client stored), [Server.AddNetwork] (with a network token and an optional
// middleware_endpoint), [Server.AddNetworkToken], [Server.AddConnector],
// [Server.AddAuthorization] (a service authorization key, "at" + 32 hex),
// [Server.AddDashboard], [Server.AddWidget], [Server.AddAnalysis] (with its analysis
// token), [Server.AddFile] (a file in a profile's Files, for a data restore),
// [Server.AddTagoCore] (a TagoCore instance, with its token).
// Read-back helpers: [Server.Device], [Server.Devices], [Server.DeviceTokens],
// [Server.LookupDeviceToken] (to check the last_authorization a resolve stored),
// [Server.Params], [Server.Data], [Server.Dashboard], [Server.AnalysisRuns] (every run
// asked for, with its scope), [Server.ActionFirings] (every action that fired),
// [Server.Outbox] (the one-time codes, reset links, confirmations and team invitations
// the platform would have e-mailed), [Server.File] and [Server.Files] (what a data
// backup wrote), [Server.Published] (what went through the MQTT relay),
// [Server.EntityRecords] (an entity's records), [Server.PressedButtons] (notification
// buttons pressed), [Server.PushDevices] (phones registered for push notifications),
// [Server.Subscribers] (open realtime streams), [Server.ProfileID] (the default
// profile) and [Server.Requests] ([Server.ClearRequests] empties it). Seeding helpers
// panic on a
// programming error such as an unknown device ID. [WithClock] and [WithSeed] make
// dates, IDs and tokens reproducible; [WithAccountToken] fixes the account token and
// [WithCredentials] the account's e-mail and password (default [DefaultEmail] and
// [DefaultPassword]).
//
// # What it implements
//
//   - GET /status (no token); GET /info for a device token (the device), a network token
//     (the network), an authorization key (its metadata) or an analysis token (the
//     analysis).
//   - Device API with a device token: POST, GET, PUT and DELETE /data; GET
//     /device/params and PUT /device/params/{id}.
//   - Devices with an account token: GET /device with filters, fields, orderBy, page
//     and amount; POST /device (201, {device_id, bucket_id, token}); GET, PUT and
//     DELETE /device/{id} (list and info with ?tcore= for the devices of a standalone
//     TagoCore instance, seeded with DeviceSpec.TagoCore); /device/{id}/data (same as
//     /data); data_amount; empty;
//     params (GET, POST with 201, DELETE); chunk (GET, DELETE) for immutable and hybrid
//     devices; data backup, chunk backup and copy, and restore, against the fake's
//     Files ([Server.AddFile], [Server.File]; run at once, answered as
//     scheduled); convert (an empty, inactive device, to mutable or immutable); device
//     tokens (GET /device/token/{id}, POST /device/token with 201 and
//     {token, permission, expire_date}, DELETE /device/token/{token}).
//   - Account: GET, PUT and DELETE /account, POST /account/passwordreset, POST
//     /account/otp/{type}/enable|disable|confirm; without a token POST /account
//     (create, unconfirmed), POST /account/login (the account and its profiles, own and
//     shared; with two-factor authentication and no pin_code a 401 whose message is
//     the JSON {"otp_enabled": [...], "otp_autosend": "..."}), POST
//     /account/login/otp, POST /account/profile/token, GET
//     /account/passwordreset/{email}, /account/resend_confirmation/{email},
//     /account/confirm/{token}, /profile/team/accept|decline/{token}.
//   - Profiles: list, info (also "current"), create (?allocate_free_resources), edit,
//     delete (body {password, pin_code?}); summary (?onlyAmount), statistics, audit log
//     and its query, add-ons (GET, POST, DELETE /profile/{id}/{addon}), services,
//     PUT /profile/switch/{id}, team (list, add, remove); profile tokens; backups
//     (create, one a day, completed at once; list; download and delete with the
//     account's password).
//   - Service authorizations: GET, POST /serviceauth; PUT, DELETE /serviceauth/{key}.
//   - Dashboards and widgets: list, create (201), info, edit, delete, duplicate (201),
//     share/public, devices, analysis; widgets create, info, edit, delete, token; widget
//     data GET (blueprint devices and their buckets), POST (bypass_bucket) and DELETE
//     /data/{dashboard}/{widget}, PUT .../data and PUT .../resource (device edits
//     through a widget).
//   - Integrations: networks (info with middleware_endpoint) and connectors
//     (filter[networks] too) list, info, create, edit, delete; network tokens; with a
//     network token GET /integration/network/resolve/{serie}[/{authorization}], GET
//     /integration/network/{connectorID}/devices, POST
//     /integration/network/{deviceID}/params, POST /integration/network/publish
//     ([Server.Published]) and POST /integration/network/data.
//   - Analyses: list, info, create ({id, token}), edit, delete; POST
//     /analysis/{id}/run {scope} ({analysis_token}; recorded, see
//     [Server.AnalysisRuns]); POST /analysis/{id}/run/{dashboard}/{widget}; GET
//     /analysis/{id}/token (external analyses; replaces the token); POST
//     /analysis/{id}/upload {file (base64), file_name, language} (a new version); GET
//     /analysis/{id}/download[?version=N] ({url, size_unit, size, expire_at}, the URL
//     served by this server for an hour, without a token).
//   - Actions: list, info, create ({action}), edit, delete. Variable-condition
//     triggers ("condition": device, or tag_key and tag_value for the devices carrying
//     that tag; variable, is < > = ! >< *, value, value_type, unlock) are evaluated
//     whenever data is stored, however it is stored; "lock" is the action's state
//     (an action with unlock conditions locks when it fires and unlocks when one of
//     them holds, firing then too with trigger_when_unlock; a create or an edit sets
//     it by hand); a "script" action runs its analyses with the matching
//     records as the scope, a "post" action sends them (a JSON array) to its URL with
//     its headers before the request that stored the data is answered; other effects
//     are recorded in [Server.ActionFirings] only. Other trigger kinds are stored and
//     checked, not run.
//   - Secrets: list, info, create ({id}), edit, delete; the value is write-only (lists
//     and info give value_length) and the key is fixed and unique in the profile.
//   - Access management: GET, POST (201, {am_id}) /am; GET, PUT, DELETE /am/{id};
//     permissions and targets are checked, not enforced.
//   - Entities: list, info, create (a typed schema and indexes, {id}), edit (name, tags,
//     payload_decoder), delete; PUT /entity/{id}/schema (create, rename, update and
//     delete fields, create and delete indexes, all or none); records sent (checked
//     against the schema; an existing id replaces its record), read through an index
//     (filters on a left-to-right prefix of its fields, equalities and {start, end}
//     ranges, ordered by its last field, paged), edited, deleted by IDs (at most 10),
//     counted (data_amount) and emptied; the rules are in entities.go. TagoSQL's
//     table list names them.
//   - GET /tags/keys/{type}: the distinct tag keys of the caller's devices (also
//     "bucket"), dashboards, analyses, actions or secrets ("run_users" and "tcore" are
//     known and empty).
//   - Files (a profile's storage; see Files below): GET /files, POST /files (base64 and
//     multipart uploads), PUT /files (move), PUT /files/copy, DELETE /files, GET and
//     PUT /files/permission, POST /data/files/{dashboard}/{widget} (uploads through a
//     widget's file field), GET /file/{profileID}/{path} (signed link, MD5).
//   - Notifications: list (read or unread), create (201; buttons checked), delete; PUT
//     /notification/read (read or unread by IDs), /notification/markallread and
//     /notification/{id}/{button} (recorded, see [Server.PressedButtons]; a button whose
//     trigger runs an analysis records the run); POST /notification/push/register and
//     unregister ([Server.PushDevices]).
//   - TagoRUN administration: GET and PUT /run (one run per profile, its url
//     "<profile ID>.run.tagotest" until an edit changes it); run users (list, info,
//     create, edit, delete; e-mails unique); GET /run/users/{id}/login (a run-user
//     token); POST /run/email_test; the users' notifications (GET
//     /run/notification/{user}, create, edit, delete); GET and PUT /run/sso/saml; the
//     custom domain (POST, GET, DELETE /run/customdomain/{profile}, PUT
//     /run/customdomain/regenerate/{profile}).
//   - TagoRUN users, /run/{url}/...: without a token signup, login (run-user tokens
//     expiring after the run's auth_token_ttl; two-factor codes as for accounts),
//     login/otp, confirm/{token}, passwordreset/{email}; with the user's token info (GET,
//     PUT), delete, passwordreset, otp/{type}/enable|disable|confirm, the user's
//     notifications (list, mark read or unread, mark all read, press a button, delete)
//     and the user's key/value store (GET, POST, DELETE sdb/{key}).
//   - Dictionaries: list, info, create ({dictionary}; slugs upper-case and unique),
//     edit, delete; GET, PUT and DELETE /dictionary/{id or slug}/{locale} (?fallback=true
//     answers the fallback language for a missing one); GET
//     /dictionary/{run url}/{slug}/{locale} without a token.
//   - Templates: POST /template (of a dashboard with its widgets, or of an analysis),
//     GET /template/{id}, POST /template/{id} (installs copies in the caller's profile).
//   - TagoCore instances ([Server.AddTagoCore]): list, info (?summary=true), edit,
//     delete, GET /tcore/instance/{id}/token (a new token).
//   - TagoSQL: stored queries (list, info, create, edit raising the version, delete), GET
//     /sql/{id}/version/{n}, GET /sql/tables, and POST /sql/{id}/execute running a small
//     subset of SQL over the profile's device data (SELECT columns or COUNT(*) FROM data,
//     WHERE with AND, ORDER BY, LIMIT, {{param}} substitution; see sql.go).
//
// Resources are served by one generic collection mechanism: list (paging, fields,
// filters, orderBy), info, create, edit and delete, with the same validation (400
// with field_errors for a missing or ill-typed field, "is not allowed" for an unknown
// one on the newer resources) and refusals (404 for an ID the caller's profile does
// not own) everywhere.
//
// # Authentication
//
// The token is read from the first non-empty header among Account-Token, Profile-Token,
// Device-Token, Token and Authorization; as on the platform the header's name does not
// decide the token's kind, the server looks the value up. A missing, unknown or expired
// token gets 401 {"status":false,"message":"Invalid Token"}; a known token of the wrong
// kind (a device token on /device, an account token on /data) or without the permission
// (a "read" token writing, a "write" token reading) gets 401
// {"status":false,"message":"Authorization Denied"}. Each profile sees only its own
// resources. An analysis token (Analysis-Token or Token header) is accepted on GET
// /info only; the fake does not enforce access policies, so it refuses analysis tokens
// on the resource routes. Logins and token creations check the account's e-mail,
// password and, with two-factor authentication, the one-time code; codes are in
// [Server.Outbox] and stay valid for ten minutes.
//
// # Responses
//
// Successes are {"status":true,"result":...} with status 200, or 201 where the platform
// answers 201. Mutations answer the platform's strings: "N Data Added", "N item(s)
// updated", "N Data Removed", "Successfully Updated", "Successfully Removed", "Token
// Successfully Removed", "Params Successfully Updated". Failures are
// {"status":false,"message":"..."}: 404 "Device not found" (and likewise for other
// resources), 400 for bad input; a malformed body field adds
// "field_errors":{"<field>":["<why>"]} under the message "Error on Body parameters". An
// unknown route is 404 "Cannot GET /path". Dates print as the platform prints them
// (UTC, milliseconds: "2025-03-10T12:00:00.000Z"); never-set dates are null; token
// expiry is "never" or a date.
//
// # Lists
//
// List endpoints read page (1-based; 0 counts as 1), amount (default 20, at most
// 10,000), fields (fields[0]=id, fields[]=id, repeated fields=id or fields=id,name;
// none means every field, except for analyses and actions (id, name), secrets (id,
// key), access policies (id, name, tags) and profiles, whose defaults are the official
// SDK's), orderBy ("name,asc" or the array form orderBy[0]=name&orderBy[1]=asc)
// and filter[...]. Filters compare each named field: strings case-insensitively with "*"
// matching any run of characters (filter[name]=*sensor*), booleans and numbers by value,
// arrays (a connector's networks) by any element; filter[tags][i][key] and
// filter[tags][i][value] require a matching tag for each entry (a key alone matches any
// value). GET /device also takes serial and resolveBucketName (adding bucket_name, the
// device's name). Equal sort keys keep creation order (newest first when descending).
// The query string is parsed as the "qs"
// library does: a[0]=x, a[]=x, repeated keys and nested filter[tags][0][key], with
// percent-encoded brackets too.
//
// # Data
//
// Points are validated as the platform documents: a variable is required, lower-cased,
// at most 100 characters, without spaces or * ? ! < > . - = $; a value is a string, a
// number or a boolean; unit at most 25 characters, group at most 100 ("serie" is read as
// group); location {lat, lng} or a GeoJSON point; metadata an object; time an ISO date,
// "YYYY-MM-DD HH:mm:ss", a Unix timestamp (seconds or milliseconds) or a relative "1
// day", default now. Points of one request without a group share a generated one. One
// bad point rejects the whole request. A body that is not JSON is stored as one
// "payload" record, which is what a payload parser would receive (the fake runs no
// parsers). A POST is limited to 200 kB (413 above), and a mutable device holds at most
// [DefaultDataLimit] records (400 when a request would exceed it; see [WithDataLimit]).
//
// GET /data reads variables (or variable), groups, ids, values, start_date and end_date
// (ISO, "YYYY-MM-DD HH:mm:ss" or relative; with a start_date and no end_date the range
// ends now), qty (default 15, at most 10,000: more is refused with 400), skip,
// ordination (descending by default), details (adds created_at) and query:
//
//   - no query (or "default"): records sorted by time. With variables, qty and skip
//     apply to each variable and the result lists the variables in the order asked, as
//     the platform's self-hosted server does; without, to all records.
//   - last_item, last_value (newest with a value), last_location, last_insert (by
//     insertion), the first_* counterparts, min and max (the record with the smallest or
//     largest number): one record per variable (the variables asked, or every variable
//     by name), as an array.
//   - count: a bare number, the count of matching records ({"status":true,"result":25}).
//   - sum and avg: a bare number over the numeric values (avg is null when none match).
//     Both need start_date (400 otherwise), as the official SDK's types say.
//   - aggregate (interval minute|hour|day|month|quarter|year, function avg|sum|min|max,
//     start_date required): [{variable, value, time}] per variable and interval, time
//     being the interval's start. The platform's shape for aggregate is not documented;
//     this one is the fake's.
//   - conditional (function gt|gte|lt|lte|eq|ne, value, start_date required): the
//     matching numeric records, paged like the default query.
//
// The summary shapes follow the API reference (count returns a bare number, which the
// JavaScript SDK wraps into a record) and the platform's self-hosted server, whose
// count, sum and avg return numbers while min and max return records.
//
// DELETE /data removes what the same GET would list (without parameters the 15 newest
// records) and answers "N Data Removed"; PUT /data edits records by id. Both refuse
// immutable devices; on hybrid devices they touch only the variables that match the
// device's mutable_variable_regex.
//
// # Network resolve
//
// GET /integration/network/resolve/{serie}[/{authorization}] with a network token
// returns the device token (a bare string) whose serie_number matches (any case), on a
// device of that network. Without an authorization any profile's device can match and
// the most recently created device wins; with one, only the key's profile is searched
// and the token's last_authorization becomes the key. An unknown serial is 404
// "Device not found"; an unknown, expired or deleted key is 401 "Invalid Authorization".
//
// # Files
//
// Files are listed as the platform's storage lists them: path is a prefix, not a
// folder ("reports/" lists the folder, "reports" also the file reports.csv), entries
// go one level deep (a file with its full path, size, last_modified and public; a
// sub-folder by its last segment), files and folders are paged together, qty at a time
// (default 300, at most 1000), and pagination_token names the next page. total (1024)
// and usage are in megabytes. Uploads are private unless public is set. The base64
// form stores its files all or none. A multipart upload holds its parts until its
// end: a part sent again replaces the earlier copy, the answer's ETag is the quoted
// MD5 of the part, and the end checks the parts as the storage does (ascending,
// received with those ETags, each but the last at least 5 MiB) before storing the
// file and forgetting the upload, so a second end is 404; the answer is {file: URL}
// with the URL on this server. Forms are read as they arrive, the file streamed;
// [WithFileDir] keeps contents on disk instead of memory, and the request log keeps an
// upload's fields (Request.Form) without its bytes. Moves and copies apply in order,
// all or none; a delete of a path that names no file deletes the folder of that name
// with everything in it, and paths are first normalised as the platform does ("..",
// blank segments and spaces around segments dropped). GET /file/{profileID}/{path}
// with noRedirect=true answers a link to the file served by this server without a
// token for an hour (/tagotest/file/...), or with md5=true the content's MD5; without
// noRedirect it redirects (302) to the link. Public files are not served without a
// token.
//
// # Fault injection
//
// [Server.Inject] adds a [Fault] for the requests matching a method and a path pattern:
// answer with a status and body instead (an HTML 502 page: [BadGatewayHTML]), add
// latency, add Retry-After, reset the connection, or cut the response body short. The
// helpers [Server.FailNext], [Server.RateLimitNext], [Server.ResetNext] and
// [Server.TruncateNext] cover the usual cases; [Server.SetLatency] delays everything.
// Whether the request is applied before the failure is explicit: a status or reset
// fault answers in the request's place unless Fault.Process is set, in which case the
// request is stored first and the client still sees the failure; a truncated answer
// always follows a processed request. Fault.Skip lets matching requests through before
// the fault takes effect, to hit one in the middle (a part of a multipart upload, the
// start being the first POST /files). Note that Go's http.Transport silently resends an
// idempotent request (a GET) whose reused keep-alive connection breaks, so a single
// reset GET may never reach the client's code; a POST is never resent.
//
// Each request is logged ([Server.Requests]): method, path, query, which header carried
// the token and of which kind, the body (an upload's form fields instead), the status,
// whether it was applied and which fault, if any, hit it.
//
// # Realtime
//
// GET /events?channels=a,b&token=T (also channel=a, as the Python SDK sends, or the
// token in a header) answers with Server-Sent Events on the platform's channels:
// device_data.{id} and device_inspector.{id} (account token of the device's profile),
// analysis_console.{id}, ui_dashboard.{id} and entity_data.{id} (account token),
// notification and ui (account token, the profile's) and analysis_trigger (analysis
// token). A token that may not hear a channel gets 401 "Authorization Denied", an
// unknown device, analysis or dashboard 404, an unknown channel 400. Each event is
// "id: N" (an increasing number) and "data: {"channel": ..., "payload": ...}"; the
// platform documents only payload, the channel member is the fake's. The stream
// starts with a ": connected" comment and sends ": keep-alive" every
// [DefaultEventHeartbeat] ([WithEventHeartbeat]).
//
// The fake publishes by itself: every stored record on device_data (POST /data, the
// account and network forms, [Server.AddData]); console lines on analysis_console;
// notifications the analysis service sends on notification; every analysis run on
// analysis_trigger, with payload {analysis_id, environment, data, token} (see below).
// [Server.Publish] sends anything on any channel. The last [EventHistory] events are
// kept: a client that reconnects with Last-Event-ID gets the events after it first,
// then live ones. A connection that falls 4,096 events behind is closed;
// the client catches up from the history when it reconnects.
//
// [Server.InjectEventFault] breaks streams: Cut sends half an event and drops the
// connection, Silent stops writing (heartbeats included) while the connection stays
// open, Retry starts the stream with a retry field; After lets that many events through
// first. Refusing a connection with a status or a reset is [Server.Inject] with Path
// "/events". [Server.Close] ends open streams.
//
// # Analyses and their services
//
// Every analysis run the fake records (POST /analysis/{id}/run, a widget's button, an
// action whose trigger matched, [Server.TriggerAnalysis]) goes out on the analysis's
// analysis_trigger channel, which its analysis token ([Server.AddAnalysis]) may
// subscribe to; the same token calls the analysis services. The services, POST
// /analysis/services/{console/send, email/send, email-smtp/send, email-sendgrid/send,
// sms/send, sms-twilio/send, whatsapp-twilio/send, notification/send, mqtt/publish,
// attachment/upload, queue-sqs/send}, POST /pdf (where the SDK sends PDF requests for a
// server that is not TagoIO's cloud) and POST /tip/cmd (service authorization) check
// the members the platform requires (400 with field_errors) and record each call they
// accept: [Server.ServiceCalls], [Server.ConsoleLines], [Server.Emails],
// [Server.TextMessages], [Server.Notifications]. Their answers are short messages
// ("Email sent"); attachment/upload answers an address under the server's URL (not
// served), /pdf a small base64 document naming what it was asked to render.
//
// # Concurrency and speed
//
// A Server and all its methods are safe for concurrent use, also while requests are
// served; the store is guarded by one mutex. On a two-vCPU machine, with the 16 clients
// in the same process, POST /data of one reading runs at about 7,500 requests per second
// (batches of 100: about 85,000 points per second), roughly three quarters of what a
// bare net/http handler answers there; most of the time goes to the HTTP stack
// (BenchmarkPostData).
//
// # Not implemented
//
// Payload parsers and encoders, running analysis scripts, schedule, interval,
// resource and usage triggers of actions, access-policy enforcement, billing (the
// Billing service has no fake), and real rate limiting (inject 429s instead).
package tagotest
