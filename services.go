package tago

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// ServicesService calls the platform's analysis services with an analysis token: the
// analysis console, e-mail (the platform's own, SMTP and SendGrid), SMS (the platform's
// own and Twilio), WhatsApp (Twilio), notifications, MQTT publishing, attachment
// uploads, PDF generation and Amazon SQS; and, with a service authorization, TagoTiP
// commands. Inside an analysis, [Client] made by the analysis package carries the right
// token already. Credentials passed to a service (SMTP password, API keys, Twilio
// token) are [Secret]s and never appear in errors or logs.
type ServicesService service

func (s *ServicesService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

var analysisOnly = []TokenKind{KindAnalysis}

// servicePath returns the route of an analysis service.
func servicePath(name string) string { return "/analysis/services/" + name }

// AnalysisTokenInfo is what the platform says about the analysis an analysis token
// belongs to.
type AnalysisTokenInfo struct {
	// ID is the analysis's ID, when the platform sends it.
	ID string `json:"id,omitempty"`
	// Name is the analysis's name.
	Name string `json:"name"`
	// Active says whether the analysis may run.
	Active bool `json:"active"`
	// RunOn is where it runs: [RunOnTago] (the platform runs it) or [RunOnExternal] (a
	// program of yours listens for its triggers, see [AnalysisTriggerChannel]).
	RunOn RunOn `json:"run_on"`
}

// Current returns the analysis the client's analysis token belongs to.
//
// TagoIO API: GET /info
func (s *ServicesService) Current(ctx context.Context) (AnalysisTokenInfo, error) {
	return do[AnalysisTokenInfo](ctx, s.cl(), &call{method: "GET", path: "/info", kinds: analysisOnly})
}

// Log writes message to the analysis's console, dated at (the current time when at is
// zero). The message may hold several lines; the console shows them as one entry.
//
// TagoIO API: POST /analysis/services/console/send
func (s *ServicesService) Log(ctx context.Context, message string, at time.Time) error {
	if at.IsZero() {
		at = time.Now()
	}
	body := struct {
		Message   string `json:"message"`
		Timestamp int64  `json:"timestamp"`
	}{message, at.UnixMilli()}
	return exec(ctx, s.cl(), &call{method: "POST", path: servicePath("console/send"), body: body, kinds: analysisOnly})
}

// EmailRequest is an e-mail to send. Set To and either Subject with Message or HTML, or
// a Template.
type EmailRequest struct {
	// To lists the recipients' addresses; at least one.
	To []string
	// From is the sender's name; empty for the one configured in TagoRUN.
	From string
	// Subject is the e-mail's subject; required unless a Template is used.
	Subject string
	// Message is a plain-text body.
	Message string
	// HTML is an HTML body; set Message or HTML, not both.
	HTML string
	// Attachment is an optional file to attach.
	Attachment *EmailAttachment
	// Template sends a TagoRUN e-mail template instead of Subject and body.
	Template *EmailTemplate
}

// EmailAttachment is a file attached to an e-mail or a WhatsApp message.
type EmailAttachment struct {
	// Filename is the file's name, such as "report.pdf".
	Filename string `json:"filename"`
	// Content is the file; the SDK sends it base64-encoded.
	Content []byte `json:"-"`
}

// EmailTemplate selects a TagoRUN e-mail template and fills its $KEY$ parameters.
type EmailTemplate struct {
	// Name is the template's name.
	Name string `json:"name"`
	// Params fills the template's parameters; values are strings or numbers.
	Params map[string]any `json:"params,omitempty"`
}

// emailBody is an e-mail as the services receive it; the credentials of the SMTP and
// SendGrid variants are added by them.
type emailBody struct {
	To             any             `json:"to"`
	From           string          `json:"from,omitempty"`
	Subject        string          `json:"subject,omitempty"`
	Message        string          `json:"message,omitempty"`
	HTML           string          `json:"html,omitempty"`
	Attachment     *attachmentBody `json:"attachment,omitempty"`
	Template       *EmailTemplate  `json:"template,omitempty"`
	SMTPSecret     any             `json:"smtp_secret,omitempty"`
	SendGridAPIKey Secret          `json:"sendgrid_api_key,omitempty"`
}

type attachmentBody struct {
	Archive  string `json:"archive"`
	Type     string `json:"type"`
	Filename string `json:"filename"`
}

func newAttachment(field string, a *EmailAttachment) (*attachmentBody, error) {
	if a == nil {
		return nil, nil
	}
	if strings.TrimSpace(a.Filename) == "" {
		return nil, invalidf(field+".filename", "must not be empty")
	}
	return &attachmentBody{Archive: base64.StdEncoding.EncodeToString(a.Content), Type: "base64", Filename: a.Filename}, nil
}

// body checks the e-mail and builds what the platform receives; join writes the
// recipients as one comma-separated string (the SMTP and SendGrid services want it).
func (r *EmailRequest) body(join bool) (*emailBody, error) {
	if len(r.To) == 0 {
		return nil, invalidf("to", "must list at least one recipient")
	}
	for i, to := range r.To {
		if strings.TrimSpace(to) == "" || !strings.Contains(to, "@") || strings.ContainsAny(to, ",\r\n") {
			return nil, invalidf(fmt.Sprintf("to[%d]", i), "%q is not an e-mail address", to)
		}
	}
	if r.Message != "" && r.HTML != "" {
		return nil, invalidf("html", "set Message or HTML, not both (the platform would drop Message)")
	}
	if r.Template != nil {
		if strings.TrimSpace(r.Template.Name) == "" {
			return nil, invalidf("template.name", "must not be empty")
		}
		for k, v := range r.Template.Params {
			switch v.(type) {
			case string, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, json.Number:
			default:
				return nil, invalidf("template.params."+k, "must be a string or a number, got %T", v)
			}
		}
	} else {
		if strings.TrimSpace(r.Subject) == "" {
			return nil, invalidf("subject", "must not be empty (or use a Template)")
		}
		if r.Message == "" && r.HTML == "" {
			return nil, invalidf("message", "set Message or HTML (or use a Template)")
		}
	}
	att, err := newAttachment("attachment", r.Attachment)
	if err != nil {
		return nil, err
	}
	b := &emailBody{From: r.From, Subject: r.Subject, Message: r.Message, HTML: r.HTML, Attachment: att,
		Template: r.Template}
	switch {
	case join:
		b.To = strings.Join(r.To, ",")
	case len(r.To) == 1:
		b.To = r.To[0]
	default:
		b.To = r.To
	}
	return b, nil
}

// SendEmail sends an e-mail through the platform's own mail service.
//
// TagoIO API: POST /analysis/services/email/send
func (s *ServicesService) SendEmail(ctx context.Context, req EmailRequest) error {
	b, err := req.body(false)
	if err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: servicePath("email/send"), body: b, kinds: analysisOnly})
}

// SMTPCredentials are the server and login of an SMTP e-mail.
type SMTPCredentials struct {
	// Server is the SMTP server's host name.
	Server string `json:"smtp_server"`
	// Port is its port, such as 587.
	Port int `json:"smtp_port"`
	// Username and Password log in.
	Username string `json:"username"`
	Password Secret `json:"password"`
}

// SMTPEmailRequest is an e-mail sent through your SMTP server. Set exactly one of
// Credentials and SecretJSON.
type SMTPEmailRequest struct {
	EmailRequest
	// Credentials are the server and login; the zero value means none.
	Credentials SMTPCredentials
	// SecretJSON is the value of a TagoIO secret that holds the credentials as JSON, the
	// way the platform recommends keeping them (read it from an environment variable
	// that refers to the secret).
	SecretJSON Secret
}

// SendEmailSMTP sends an e-mail through an SMTP server.
//
// TagoIO API: POST /analysis/services/email-smtp/send
func (s *ServicesService) SendEmailSMTP(ctx context.Context, req SMTPEmailRequest) error {
	b, err := req.body(true)
	if err != nil {
		return err
	}
	var secrets []string
	switch hasCreds := req.Credentials != (SMTPCredentials{}); {
	case hasCreds && req.SecretJSON != "":
		return invalidf("credentials", "set Credentials or SecretJSON, not both")
	case hasCreds:
		c := req.Credentials
		if strings.TrimSpace(c.Server) == "" {
			return invalidf("credentials.smtp_server", "must not be empty")
		}
		if c.Port <= 0 || c.Port > 65535 {
			return invalidf("credentials.smtp_port", "must be a TCP port, got %d", c.Port)
		}
		b.SMTPSecret = c
		secrets = append(secrets, c.Password.Reveal())
	case req.SecretJSON != "":
		if !json.Valid([]byte(req.SecretJSON)) {
			return invalidf("secret JSON", "is not valid JSON")
		}
		b.SMTPSecret = req.SecretJSON.Reveal()
		secrets = append(secrets, req.SecretJSON.Reveal())
	default:
		return invalidf("credentials", "set Credentials or SecretJSON")
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: servicePath("email-smtp/send"), body: b, kinds: analysisOnly, secrets: secrets})
}

// SendGridEmailRequest is an e-mail sent through SendGrid.
type SendGridEmailRequest struct {
	EmailRequest
	// APIKey is your SendGrid API key.
	APIKey Secret
}

// SendEmailSendGrid sends an e-mail through SendGrid.
//
// TagoIO API: POST /analysis/services/email-sendgrid/send
func (s *ServicesService) SendEmailSendGrid(ctx context.Context, req SendGridEmailRequest) error {
	b, err := req.body(true)
	if err != nil {
		return err
	}
	if strings.TrimSpace(req.APIKey.Reveal()) == "" {
		return invalidf("api key", "must not be empty")
	}
	b.SendGridAPIKey = req.APIKey
	return exec(ctx, s.cl(), &call{method: "POST", path: servicePath("email-sendgrid/send"), body: b,
		kinds: analysisOnly, secrets: []string{req.APIKey.Reveal()}})
}

// SMSRequest is a text message sent through the platform's SMS service.
type SMSRequest struct {
	// To is the phone number in international form, such as "+5599999999999".
	To string `json:"to"`
	// Message is the text.
	Message string `json:"message"`
}

func checkPhone(field, n string) error {
	n = strings.TrimSpace(n)
	if n == "" {
		return invalidf(field, "must not be empty")
	}
	if strings.ContainsAny(n, "\r\n") {
		return invalidf(field, "must not contain line breaks")
	}
	return nil
}

// SendSMS sends a text message.
//
// TagoIO API: POST /analysis/services/sms/send
func (s *ServicesService) SendSMS(ctx context.Context, req SMSRequest) error {
	if err := checkPhone("to", req.To); err != nil {
		return err
	}
	if req.Message == "" {
		return invalidf("message", "must not be empty")
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: servicePath("sms/send"), body: req, kinds: analysisOnly})
}

// TwilioAccount is a Twilio account's credentials and sender.
type TwilioAccount struct {
	// From is the sender registered with Twilio: a number, an alphanumeric ID or a
	// messaging service SID.
	From string `json:"from"`
	// SID is the Twilio account SID.
	SID string `json:"twilio_sid"`
	// AuthToken is the Twilio auth token.
	AuthToken Secret `json:"twilio_token"`
}

func (a TwilioAccount) check() error {
	if strings.TrimSpace(a.From) == "" {
		return invalidf("from", "must not be empty")
	}
	if strings.TrimSpace(a.SID) == "" {
		return invalidf("twilio_sid", "must not be empty")
	}
	if strings.TrimSpace(a.AuthToken.Reveal()) == "" {
		return invalidf("twilio_token", "must not be empty")
	}
	return nil
}

// TwilioSMSRequest is a text message sent through Twilio.
type TwilioSMSRequest struct {
	TwilioAccount
	// To is the phone number in international form.
	To string `json:"to"`
	// Message is the text.
	Message string `json:"message"`
}

// SendSMSTwilio sends a text message through Twilio.
//
// TagoIO API: POST /analysis/services/sms-twilio/send
func (s *ServicesService) SendSMSTwilio(ctx context.Context, req TwilioSMSRequest) error {
	if err := checkPhone("to", req.To); err != nil {
		return err
	}
	if req.Message == "" {
		return invalidf("message", "must not be empty")
	}
	if err := req.TwilioAccount.check(); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: servicePath("sms-twilio/send"), body: req,
		kinds: analysisOnly, secrets: []string{req.AuthToken.Reveal()}})
}

// WhatsAppRequest is a WhatsApp message sent through Twilio: a text (with an optional
// file), or a Twilio content template.
type WhatsAppRequest struct {
	TwilioAccount
	// To is the phone number in international form.
	To string
	// Message is the text; required unless ContentSID is set.
	Message string
	// Attachment is a file to send with Message; ContentType must then be its media
	// type, such as "image/jpeg".
	Attachment  *EmailAttachment
	ContentType string
	// ContentSID selects a Twilio content template, filled with ContentVariables.
	ContentSID       string
	ContentVariables map[string]string
}

// SendWhatsApp sends a WhatsApp message through Twilio.
//
// TagoIO API: POST /analysis/services/whatsapp-twilio/send
func (s *ServicesService) SendWhatsApp(ctx context.Context, req WhatsAppRequest) error {
	if err := checkPhone("to", req.To); err != nil {
		return err
	}
	if err := req.TwilioAccount.check(); err != nil {
		return err
	}
	switch {
	case req.ContentSID != "" && (req.Message != "" || req.Attachment != nil):
		return invalidf("content_sid", "a template message takes no Message or Attachment")
	case req.ContentSID == "" && req.Message == "":
		return invalidf("message", "set Message, or ContentSID for a template")
	case req.Attachment != nil && strings.TrimSpace(req.ContentType) == "":
		return invalidf("content_type", "must name the attachment's media type")
	case req.Attachment == nil && req.ContentType != "":
		return invalidf("content_type", "only goes with an Attachment")
	}
	att, err := newAttachment("attachment", req.Attachment)
	if err != nil {
		return err
	}
	body := struct {
		TwilioAccount
		To               string            `json:"to"`
		Message          string            `json:"message,omitempty"`
		ContentType      string            `json:"content_type,omitempty"`
		Attachment       *attachmentBody   `json:"attachment,omitempty"`
		ContentSID       string            `json:"content_sid,omitempty"`
		ContentVariables map[string]string `json:"content_variables,omitempty"`
	}{req.TwilioAccount, req.To, req.Message, req.ContentType, att, req.ContentSID, req.ContentVariables}
	return exec(ctx, s.cl(), &call{method: "POST", path: servicePath("whatsapp-twilio/send"), body: body,
		kinds: analysisOnly, secrets: []string{req.AuthToken.Reveal()}})
}

// NotificationSendRequest is a notification an analysis sends to the account (and to
// the accounts a referenced device or dashboard is shared with).
type NotificationSendRequest struct {
	NotificationCreateRequest
	// RefID is a device or dashboard ID; when valid the notification offers a button to
	// go there, and accounts it is shared with receive the notification too.
	RefID string `json:"ref_id,omitempty"`
}

// Notify sends a notification.
//
// TagoIO API: POST /analysis/services/notification/send
func (s *ServicesService) Notify(ctx context.Context, req NotificationSendRequest) error {
	if err := req.NotificationCreateRequest.check(); err != nil {
		return err
	}
	if req.RefID != "" {
		if err := checkID("ref_id", req.RefID); err != nil {
			return err
		}
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: servicePath("notification/send"), body: req, kinds: analysisOnly})
}

// MQTTPublishRequest is a message published to a device over the platform's MQTT
// broker.
type MQTTPublishRequest struct {
	// Device is the ID of the device to receive the message.
	Device string `json:"device"`
	// Topic is the MQTT topic.
	Topic string `json:"topic"`
	// Message is the message's content.
	Message string `json:"message"`
	// QoS is the MQTT quality of service, 0 (the default), 1 or 2.
	QoS int `json:"qos,omitempty"`
}

// PublishMQTT publishes a message to a device over MQTT.
//
// TagoIO API: POST /analysis/services/mqtt/publish
func (s *ServicesService) PublishMQTT(ctx context.Context, req MQTTPublishRequest) error {
	if err := checkID("device", req.Device); err != nil {
		return err
	}
	if strings.TrimSpace(req.Topic) == "" {
		return invalidf("topic", "must not be empty")
	}
	if req.QoS < 0 || req.QoS > 2 {
		return invalidf("qos", "must be 0, 1 or 2, got %d", req.QoS)
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: servicePath("mqtt/publish"), body: req, kinds: analysisOnly})
}

// AttachmentUploadRequest is a file to store for the analysis, such as a report to link
// to.
type AttachmentUploadRequest struct {
	// Name is the file's name.
	Name string
	// Content is the file; the SDK sends it base64-encoded.
	Content []byte
	// Type is its media type, such as "application/pdf".
	Type string
}

// UploadAttachment stores a file and returns the platform's answer, the file's address.
//
// TagoIO API: POST /analysis/services/attachment/upload
func (s *ServicesService) UploadAttachment(ctx context.Context, req AttachmentUploadRequest) (string, error) {
	if strings.TrimSpace(req.Name) == "" {
		return "", invalidf("name", "must not be empty")
	}
	if strings.TrimSpace(req.Type) == "" {
		return "", invalidf("type", "must name the file's media type")
	}
	body := struct {
		Archive  string `json:"archive"`
		Filename string `json:"filename"`
		Type     string `json:"type"`
	}{base64.StdEncoding.EncodeToString(req.Content), req.Name, req.Type}
	return do[string](ctx, s.cl(), &call{method: "POST", path: servicePath("attachment/upload"), body: body, kinds: analysisOnly})
}

// PDFRequest is a page to render as PDF: set HTML or URL.
type PDFRequest struct {
	// HTML is the page's markup.
	HTML string
	// URL is the address of a page to render instead.
	URL string
	// Options tune the rendering; nil for the defaults (Letter, portrait, no margins).
	Options *PDFOptions
}

// PDFOptions tune PDF rendering. Lengths are CSS lengths, such as "1.5cm" or "8in".
type PDFOptions struct {
	// Format is the paper format, such as "A4" or "Letter"; it takes priority over
	// Width and Height.
	Format string `json:"format,omitempty"`
	Width  string `json:"width,omitempty"`
	Height string `json:"height,omitempty"`
	// Landscape turns the paper.
	Landscape bool `json:"landscape,omitempty"`
	// Margin is the paper's margins.
	Margin *PDFMargin `json:"margin,omitempty"`
	// Scale is the rendering's scale, from 0.1 to 2; zero means 1.
	Scale float64 `json:"scale,omitempty"`
	// PageRanges selects pages, such as "1-5, 8"; empty prints them all.
	PageRanges string `json:"pageRanges,omitempty"`
	// PrintBackground prints background graphics.
	PrintBackground bool `json:"printBackground,omitempty"`
	// PreferCSSPageSize lets a CSS @page size win over Format, Width and Height.
	PreferCSSPageSize bool `json:"preferCSSPageSize,omitempty"`
	// DisplayHeaderFooter prints HeaderTemplate and FooterTemplate, HTML in which the
	// classes date, title, url, pageNumber and totalPages receive those values.
	DisplayHeaderFooter bool   `json:"displayHeaderFooter,omitempty"`
	HeaderTemplate      string `json:"headerTemplate,omitempty"`
	FooterTemplate      string `json:"footerTemplate,omitempty"`
}

// PDFMargin is the paper's margins, as CSS lengths.
type PDFMargin struct {
	Top    string `json:"top,omitempty"`
	Right  string `json:"right,omitempty"`
	Bottom string `json:"bottom,omitempty"`
	Left   string `json:"left,omitempty"`
}

// pdfServiceURL is where the platform's PDF service runs.
const pdfServiceURL = "https://pdf.middleware.tago.io"

// pdfTarget returns the base URL and path of the PDF service: the platform's service for
// a TagoIO cloud or TagoIO Deploy client, else {base}/pdf on the client's own server
// (tagotest serves it there).
func (c *Client) pdfTarget() (base, path string) {
	host := ""
	if u, err := url.Parse(c.baseURL); err == nil {
		host = strings.ToLower(u.Hostname())
	}
	if strings.HasSuffix(host, ".tago.io") || strings.HasSuffix(host, ".tagoio.net") {
		return pdfServiceURL, "/"
	}
	return "", "/pdf"
}

// GeneratePDF renders a page as PDF and returns the document. The service runs on its
// own host (https://pdf.middleware.tago.io), which reads the analysis token from the
// plain token header only.
//
// TagoIO API: POST https://pdf.middleware.tago.io/
func (s *ServicesService) GeneratePDF(ctx context.Context, req PDFRequest) ([]byte, error) {
	switch {
	case req.HTML == "" && req.URL == "":
		return nil, invalidf("html", "set HTML or URL")
	case req.HTML != "" && req.URL != "":
		return nil, invalidf("url", "set HTML or URL, not both")
	case req.URL != "":
		if u, err := url.Parse(req.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, invalidf("url", "%q is not an absolute http(s) URL", req.URL)
		}
	}
	if o := req.Options; o != nil && o.Scale != 0 && (o.Scale < 0.1 || o.Scale > 2) {
		return nil, invalidf("options.scale", "must be from 0.1 to 2, got %v", o.Scale)
	}
	body := struct {
		HTML    string      `json:"html,omitempty"`
		URL     string      `json:"url,omitempty"`
		Options *PDFOptions `json:"options,omitempty"`
	}{req.HTML, req.URL, req.Options}
	c := s.cl()
	cl := &call{method: "POST", body: body, kinds: analysisOnly, tokenHeader: "Token"}
	if c != nil {
		cl.baseURL, cl.path = c.pdfTarget()
	}
	b64, err := do[string](ctx, c, cl)
	if err != nil {
		return nil, err
	}
	pdf, derr := base64.StdEncoding.DecodeString(b64)
	if derr != nil {
		return nil, &APIError{HTTPStatus: 200, Method: "POST", Path: cl.path, Message: "the PDF service's result is not base64: " + derr.Error()}
	}
	return pdf, nil
}

// AWSCredentials locate an Amazon SQS queue and log in to it.
type AWSCredentials struct {
	// Region is the AWS region, such as "us-east-1".
	Region string `json:"aws_region"`
	// QueueURL is the queue's URL.
	QueueURL string `json:"queue_url"`
	// AccessKeyID and SecretAccessKey are the AWS key.
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey Secret `json:"secret_access_key"`
}

// SQSRequest is a batch of records sent to an Amazon SQS queue. Set exactly one of
// Credentials and SecretJSON.
type SQSRequest struct {
	// Credentials locate the queue and log in; the zero value means none.
	Credentials AWSCredentials
	// SecretJSON is the value of a TagoIO secret that holds the credentials as JSON.
	SecretJSON Secret
	// Data are the records to send; at least one.
	Data []Data
}

// SendSQS sends records to an Amazon SQS queue, as one batch.
//
// TagoIO API: POST /analysis/services/queue-sqs/send
func (s *ServicesService) SendSQS(ctx context.Context, req SQSRequest) error {
	body := struct {
		Secret  any    `json:"sqs_secret"`
		Data    []Data `json:"dataList"`
		Batched bool   `json:"batch_enabled"`
	}{Data: req.Data, Batched: true}
	var secrets []string
	switch hasCreds := req.Credentials != (AWSCredentials{}); {
	case hasCreds && req.SecretJSON != "":
		return invalidf("credentials", "set Credentials or SecretJSON, not both")
	case hasCreds:
		c := req.Credentials
		for _, f := range [][2]string{{"aws_region", c.Region}, {"queue_url", c.QueueURL}, {"access_key_id", c.AccessKeyID}, {"secret_access_key", c.SecretAccessKey.Reveal()}} {
			if strings.TrimSpace(f[1]) == "" {
				return invalidf("credentials."+f[0], "must not be empty")
			}
		}
		if u, err := url.Parse(c.QueueURL); err != nil || u.Scheme != "https" || u.Host == "" {
			return invalidf("credentials.queue_url", "%q is not an https URL", c.QueueURL)
		}
		body.Secret = c
		secrets = append(secrets, c.SecretAccessKey.Reveal())
	case req.SecretJSON != "":
		if !json.Valid([]byte(req.SecretJSON)) {
			return invalidf("secret JSON", "is not valid JSON")
		}
		body.Secret = req.SecretJSON.Reveal()
		secrets = append(secrets, req.SecretJSON.Reveal())
	default:
		return invalidf("credentials", "set Credentials or SecretJSON")
	}
	if len(req.Data) == 0 {
		return invalidf("data", "must hold at least one record")
	}
	if err := ValidateData(req.Data...); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: servicePath("queue-sqs/send"), body: body, kinds: analysisOnly, secrets: secrets})
}

// TiPCommand is a command sent to a device through TagoTiP.
type TiPCommand struct {
	// Serial is the target device's serial.
	Serial string `json:"serial"`
	// Protocol is how the command is delivered, such as "mqtt".
	Protocol string `json:"protocol"`
	// Body is the command's payload.
	Body string `json:"body"`
}

// SendTiPCommand sends a command to a device through TagoTiP. It needs a service
// authorization ([AuthorizationToken]), not an analysis token.
//
// TagoIO API: POST /tip/cmd
func (s *ServicesService) SendTiPCommand(ctx context.Context, cmd TiPCommand) error {
	for _, f := range [][2]string{{"serial", cmd.Serial}, {"protocol", cmd.Protocol}, {"body", cmd.Body}} {
		if strings.TrimSpace(f[1]) == "" {
			return invalidf(f[0], "must not be empty")
		}
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/tip/cmd", body: cmd, kinds: []TokenKind{KindAuthorization}})
}
