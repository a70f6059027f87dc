package tago

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// This file holds an action's typed tasks (what it does when it runs) and their JSON
// forms.

// ActionTask is what an action does when it runs: [RunAnalysis], [NotifyAccount],
// [NotifyRunUser], [SendEmail], [SendSMS], [PublishMQTT], [PostWebhook],
// [SendSMSTwilio], [SendWhatsAppTwilio], [SendEmailSendGrid], [SendEmailSMTP],
// [SendSQS], or a [RawTask] for a kind this SDK does not model.
type ActionTask interface {
	// TaskType returns the platform's name of the task, such as "script".
	TaskType() string
	check(field string) error
}

// withType marshals v, a struct, as a JSON object with "type": kind first.
func withType(kind string, v any) ([]byte, error) {
	obj, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return addType(kind, obj), nil
}

// addType adds "type": kind to the JSON object obj.
func addType(kind string, obj []byte) []byte {
	out := append([]byte(`{"type":`), strconv.Quote(kind)...)
	if len(obj) > 2 {
		out = append(out, ',')
	}
	return append(out, obj[1:]...)
}

// checkText rejects a blank text field.
func checkText(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return invalidf(field, "must not be empty")
	}
	return nil
}

// RunAnalysis runs analyses (at most 10, in parallel), which receive the trigger's
// data as their scope.
type RunAnalysis struct {
	// Analyses are the IDs of the analyses to run.
	Analyses []string `json:"script"`
}

// TaskType returns "script".
func (RunAnalysis) TaskType() string { return "script" }

// MarshalJSON writes the task with its type.
func (t RunAnalysis) MarshalJSON() ([]byte, error) {
	type plain RunAnalysis
	return withType(t.TaskType(), plain(t))
}

// UnmarshalJSON accepts one analysis ID or a list.
func (t *RunAnalysis) UnmarshalJSON(b []byte) error {
	var raw struct {
		Script json.RawMessage `json:"script"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*t = RunAnalysis{}
	var one string
	if json.Unmarshal(raw.Script, &one) == nil {
		t.Analyses = []string{one}
		return nil
	}
	if len(raw.Script) == 0 || string(raw.Script) == "null" {
		return nil
	}
	return json.Unmarshal(raw.Script, &t.Analyses)
}

func (t RunAnalysis) check(field string) error {
	if len(t.Analyses) == 0 || len(t.Analyses) > 10 {
		return invalidf(field+".analyses", "must name 1 to 10 analyses, got %d", len(t.Analyses))
	}
	for i, id := range t.Analyses {
		if err := checkID(fmt.Sprintf("%s.analyses[%d]", field, i), id); err != nil {
			return err
		}
	}
	return nil
}

// NotifyAccount pushes a notification to the account that owns the action (the admin
// and the TagoIO app). Subject and Message may hold message variables such as $VALUE$.
type NotifyAccount struct {
	Subject string `json:"subject"` // Subject is the notification's title.
	Message string `json:"message"` // Message is its text.
}

// TaskType returns "notification".
func (NotifyAccount) TaskType() string { return "notification" }

// MarshalJSON writes the task with its type.
func (t NotifyAccount) MarshalJSON() ([]byte, error) {
	type plain NotifyAccount
	return withType(t.TaskType(), plain(t))
}

func (t NotifyAccount) check(field string) error { return checkText(field+".message", t.Message) }

// NotifyRunUser pushes a notification to one TagoRUN user.
type NotifyRunUser struct {
	RunUser string `json:"run_user"` // RunUser is the user's ID.
	Subject string `json:"subject"`  // Subject is the notification's title.
	Message string `json:"message"`  // Message is its text.
}

// TaskType returns "notification_run".
func (NotifyRunUser) TaskType() string { return "notification_run" }

// MarshalJSON writes the task with its type.
func (t NotifyRunUser) MarshalJSON() ([]byte, error) {
	type plain NotifyRunUser
	return withType(t.TaskType(), plain(t))
}

func (t NotifyRunUser) check(field string) error {
	if err := checkID(field+".run_user", t.RunUser); err != nil {
		return err
	}
	return checkText(field+".message", t.Message)
}

// checkRecipients validates a semicolon-separated list of e-mail addresses.
func checkRecipients(field, to string) error {
	if err := checkText(field, to); err != nil {
		return err
	}
	for _, addr := range strings.Split(to, ";") {
		if err := checkEmail(field, strings.TrimSpace(addr)); err != nil {
			return err
		}
	}
	return nil
}

// SendEmail sends an e-mail through the platform's own service (which the platform
// retires in favour of [SendEmailSMTP] and [SendEmailSendGrid]).
type SendEmail struct {
	To      string `json:"to"`      // To is one address or several separated by ';'.
	Subject string `json:"subject"` // Subject is the e-mail's subject.
	Message string `json:"message"` // Message is its text.
}

// TaskType returns "email".
func (SendEmail) TaskType() string { return "email" }

// MarshalJSON writes the task with its type.
func (t SendEmail) MarshalJSON() ([]byte, error) {
	type plain SendEmail
	return withType(t.TaskType(), plain(t))
}

func (t SendEmail) check(field string) error {
	if err := checkRecipients(field+".to", t.To); err != nil {
		return err
	}
	if err := checkText(field+".subject", t.Subject); err != nil {
		return err
	}
	return checkText(field+".message", t.Message)
}

// SendSMS sends a text message through the platform's own service (which the platform
// retires in favour of [SendSMSTwilio]).
type SendSMS struct {
	To      string `json:"to"`      // To is one number or several separated by ';', with country codes.
	Message string `json:"message"` // Message is the text.
}

// TaskType returns "sms".
func (SendSMS) TaskType() string { return "sms" }

// MarshalJSON writes the task with its type.
func (t SendSMS) MarshalJSON() ([]byte, error) {
	type plain SendSMS
	return withType(t.TaskType(), plain(t))
}

func (t SendSMS) check(field string) error {
	if err := checkText(field+".to", t.To); err != nil {
		return err
	}
	return checkText(field+".message", t.Message)
}

// PublishMQTT publishes to a topic of the legacy TagoIO MQTT broker, to the clients of
// one device.
type PublishMQTT struct {
	Device  string `json:"bucket"`  // Device is the ID of the device whose clients receive it.
	Topic   string `json:"topic"`   // Topic is the topic published to.
	Payload string `json:"payload"` // Payload is the message, message variables allowed.
}

// TaskType returns "mqtt".
func (PublishMQTT) TaskType() string { return "mqtt" }

// MarshalJSON writes the task with its type.
func (t PublishMQTT) MarshalJSON() ([]byte, error) {
	type plain PublishMQTT
	return withType(t.TaskType(), plain(t))
}

func (t PublishMQTT) check(field string) error {
	if err := checkID(field+".device", t.Device); err != nil {
		return err
	}
	if err := checkText(field+".topic", t.Topic); err != nil {
		return err
	}
	if strings.ContainsAny(t.Topic, "+#") {
		return invalidf(field+".topic", "a published topic takes no wildcards")
	}
	return nil
}

// PostWebhook posts the trigger's data to an HTTP endpoint, retrying up to 10 times;
// after that the data goes to the device whose token is FallbackToken, if set.
type PostWebhook struct {
	// URL is the endpoint; it may hold message variables such as $VALUE$.
	URL string `json:"url"`
	// Headers are sent with every post.
	Headers map[string]string `json:"headers,omitempty"`
	// FallbackToken is the device token of the fallback device, if any.
	FallbackToken Secret `json:"fallback_token,omitempty"`
}

// TaskType returns "post".
func (PostWebhook) TaskType() string { return "post" }

// MarshalJSON writes the task with its type.
func (t PostWebhook) MarshalJSON() ([]byte, error) {
	type plain PostWebhook
	return withType(t.TaskType(), plain(t))
}

// marshalWire writes the task for a request body, with the fallback token's value.
func (t PostWebhook) marshalWire() ([]byte, []string, error) {
	type plain PostWebhook
	obj, secrets, err := marshalBody(plain(t))
	if err != nil {
		return nil, nil, err
	}
	return addType(t.TaskType(), obj), secrets, nil
}

// UnmarshalJSON accepts header values of any JSON type.
func (t *PostWebhook) UnmarshalJSON(b []byte) error {
	var raw struct {
		URL           string                     `json:"url"`
		Headers       map[string]json.RawMessage `json:"headers"`
		FallbackToken Secret                     `json:"fallback_token"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*t = PostWebhook{URL: raw.URL, FallbackToken: raw.FallbackToken}
	if raw.Headers != nil {
		t.Headers = make(map[string]string, len(raw.Headers))
		for k, v := range raw.Headers {
			if s := rawText(v); s != "" || string(v) == `""` {
				t.Headers[k] = s
			} else {
				t.Headers[k] = string(v)
			}
		}
	}
	return nil
}

func (t PostWebhook) check(field string) error {
	u, err := url.Parse(t.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return invalidf(field+".url", "%q is not an absolute http(s) URL", t.URL)
	}
	for k := range t.Headers {
		if strings.TrimSpace(k) == "" || strings.ContainsAny(k, " :\r\n") {
			return invalidf(field+".headers", "%q is not a header name", k)
		}
	}
	if t.FallbackToken != "" {
		return checkToken(field+".fallback_token", t.FallbackToken.Reveal())
	}
	return nil
}

// SendSMSTwilio sends a text message through Twilio; the account SID and auth token
// are secrets of [SecretsService], named by ID.
type SendSMSTwilio struct {
	To          string `json:"to"`           // To is the recipient's number.
	From        string `json:"from"`         // From is the sender number registered with Twilio.
	Message     string `json:"message"`      // Message is the text.
	SIDSecret   string `json:"twilio_sid"`   // SIDSecret is the ID of the secret holding the account SID.
	TokenSecret string `json:"twilio_token"` // TokenSecret is the ID of the secret holding the auth token.
}

// TaskType returns "sms-twilio".
func (SendSMSTwilio) TaskType() string { return "sms-twilio" }

// MarshalJSON writes the task with its type.
func (t SendSMSTwilio) MarshalJSON() ([]byte, error) {
	type plain SendSMSTwilio
	return withType(t.TaskType(), plain(t))
}

// checkTwilio validates what every Twilio task names.
func checkTwilio(field, to, from, sid, token string) error {
	if err := checkText(field+".to", to); err != nil {
		return err
	}
	if err := checkText(field+".from", from); err != nil {
		return err
	}
	if err := checkID(field+".twilio_sid", sid); err != nil {
		return err
	}
	return checkID(field+".twilio_token", token)
}

func (t SendSMSTwilio) check(field string) error {
	if err := checkTwilio(field, t.To, t.From, t.SIDSecret, t.TokenSecret); err != nil {
		return err
	}
	return checkText(field+".message", t.Message)
}

// ContentVariable fills one variable of a Twilio content template.
type ContentVariable struct {
	Name  string `json:"name"`  // Name is the template variable.
	Value string `json:"value"` // Value is its value, message variables allowed.
}

// SendWhatsAppTwilio sends a WhatsApp message through Twilio: a text Message, or a
// content template (ContentSIDSecret) filled with ContentVariables.
type SendWhatsAppTwilio struct {
	To               string            `json:"to"`                          // To is the recipient's number.
	From             string            `json:"from"`                        // From is the sender number registered with Twilio.
	Message          string            `json:"message,omitempty"`           // Message is the text, without a template.
	SIDSecret        string            `json:"twilio_sid"`                  // SIDSecret is the ID of the secret holding the account SID.
	TokenSecret      string            `json:"twilio_token"`                // TokenSecret is the ID of the secret holding the auth token.
	ContentSIDSecret string            `json:"content_sid,omitempty"`       // ContentSIDSecret is the ID of the secret holding the template SID.
	ContentVariables []ContentVariable `json:"content_variables,omitempty"` // ContentVariables fill the template.
}

// TaskType returns "whatsapp-twilio".
func (SendWhatsAppTwilio) TaskType() string { return "whatsapp-twilio" }

// MarshalJSON writes the task with its type.
func (t SendWhatsAppTwilio) MarshalJSON() ([]byte, error) {
	type plain SendWhatsAppTwilio
	return withType(t.TaskType(), plain(t))
}

func (t SendWhatsAppTwilio) check(field string) error {
	if err := checkTwilio(field, t.To, t.From, t.SIDSecret, t.TokenSecret); err != nil {
		return err
	}
	if t.ContentSIDSecret == "" {
		if len(t.ContentVariables) > 0 {
			return invalidf(field+".content_variables", "need a content template (ContentSIDSecret)")
		}
		return checkText(field+".message", t.Message)
	}
	if err := checkID(field+".content_sid", t.ContentSIDSecret); err != nil {
		return err
	}
	for i, v := range t.ContentVariables {
		if err := checkText(fmt.Sprintf("%s.content_variables[%d].name", field, i), v.Name); err != nil {
			return err
		}
	}
	return nil
}

// SendEmailSendGrid sends an e-mail through SendGrid with the API key held by a
// secret.
type SendEmailSendGrid struct {
	From         string `json:"from"`             // From is the sender address.
	To           string `json:"to"`               // To is one address or several separated by ';'.
	Subject      string `json:"subject"`          // Subject is the e-mail's subject.
	Message      string `json:"message"`          // Message is its text.
	APIKeySecret string `json:"sendgrid_api_key"` // APIKeySecret is the ID of the secret holding the API key.
}

// TaskType returns "email-sendgrid".
func (SendEmailSendGrid) TaskType() string { return "email-sendgrid" }

// MarshalJSON writes the task with its type.
func (t SendEmailSendGrid) MarshalJSON() ([]byte, error) {
	type plain SendEmailSendGrid
	return withType(t.TaskType(), plain(t))
}

// checkMail validates what every provider e-mail task names.
func checkMail(field, from, to, subject, message, secretField, secret string) error {
	if err := checkEmail(field+".from", from); err != nil {
		return err
	}
	if err := (SendEmail{To: to, Subject: subject, Message: message}).check(field); err != nil {
		return err
	}
	return checkID(field+"."+secretField, secret)
}

func (t SendEmailSendGrid) check(field string) error {
	return checkMail(field, t.From, t.To, t.Subject, t.Message, "sendgrid_api_key", t.APIKeySecret)
}

// SendEmailSMTP sends an e-mail through an SMTP server whose settings a secret holds.
type SendEmailSMTP struct {
	From       string `json:"from"`        // From is the sender address.
	To         string `json:"to"`          // To is one address or several separated by ';'.
	Subject    string `json:"subject"`     // Subject is the e-mail's subject.
	Message    string `json:"message"`     // Message is its text.
	SMTPSecret string `json:"smtp_secret"` // SMTPSecret is the ID of the secret holding the SMTP settings.
}

// TaskType returns "email-smtp".
func (SendEmailSMTP) TaskType() string { return "email-smtp" }

// MarshalJSON writes the task with its type.
func (t SendEmailSMTP) MarshalJSON() ([]byte, error) {
	type plain SendEmailSMTP
	return withType(t.TaskType(), plain(t))
}

func (t SendEmailSMTP) check(field string) error {
	return checkMail(field, t.From, t.To, t.Subject, t.Message, "smtp_secret", t.SMTPSecret)
}

// SendSQS sends the trigger's data to an Amazon SQS queue whose settings a secret
// holds.
type SendSQS struct {
	SQSSecret    string `json:"sqs_secret"`    // SQSSecret is the ID of the secret holding the queue settings.
	BatchEnabled bool   `json:"batch_enabled"` // BatchEnabled sends the data in one batch message.
}

// TaskType returns "queue-sqs".
func (SendSQS) TaskType() string { return "queue-sqs" }

// MarshalJSON writes the task with its type.
func (t SendSQS) MarshalJSON() ([]byte, error) {
	type plain SendSQS
	return withType(t.TaskType(), plain(t))
}

func (t SendSQS) check(field string) error { return checkID(field+".sqs_secret", t.SQSSecret) }

// RawTask is a task in a form this SDK does not model (such as the MQTT-topic
// action's "insert into the device's data"), kept as the platform's JSON object with
// its "type": decoded for kinds the SDK does not know, and sendable as it is.
type RawTask struct {
	// JSON is the task's JSON object, "type" included.
	JSON json.RawMessage
}

// TaskType returns the object's "type".
func (t RawTask) TaskType() string {
	var v struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(t.JSON, &v)
	return v.Type
}

// MarshalJSON writes the task's JSON as it is.
func (t RawTask) MarshalJSON() ([]byte, error) { return t.JSON, nil }

func (t RawTask) check(field string) error {
	var obj map[string]json.RawMessage
	if json.Unmarshal(t.JSON, &obj) != nil {
		return invalidf(field, "must be a JSON object")
	}
	if strings.TrimSpace(t.TaskType()) == "" {
		return invalidf(field+".type", "must not be empty")
	}
	return nil
}

// decodeTask decodes an action's task by its "type"; unknown kinds and tasks that do
// not decode become a RawTask.
func decodeTask(raw json.RawMessage) ActionTask {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var head struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(raw, &head)
	var t ActionTask
	var err error
	switch head.Type {
	case "script":
		t, err = decodeAs[RunAnalysis](raw)
	case "notification":
		t, err = decodeAs[NotifyAccount](raw)
	case "notification_run":
		t, err = decodeAs[NotifyRunUser](raw)
	case "email":
		t, err = decodeAs[SendEmail](raw)
	case "sms":
		t, err = decodeAs[SendSMS](raw)
	case "mqtt":
		t, err = decodeAs[PublishMQTT](raw)
	case "post":
		t, err = decodeAs[PostWebhook](raw)
	case "sms-twilio":
		t, err = decodeAs[SendSMSTwilio](raw)
	case "whatsapp-twilio":
		t, err = decodeAs[SendWhatsAppTwilio](raw)
	case "email-sendgrid":
		t, err = decodeAs[SendEmailSendGrid](raw)
	case "email-smtp":
		t, err = decodeAs[SendEmailSMTP](raw)
	case "queue-sqs":
		t, err = decodeAs[SendSQS](raw)
	default:
		err = errUnknownKind
	}
	if err != nil {
		return RawTask{JSON: append(json.RawMessage(nil), raw...)}
	}
	return t
}
