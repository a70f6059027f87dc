package tago

import (
	"context"
	"encoding/json"
	"time"
)

// TemplatesService turns a dashboard or an analysis into a template that other
// profiles can install, and installs templates (account token).
type TemplatesService service

// cl returns the service's client, or nil for a nil service.
func (s *TemplatesService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// TemplateGenerateRequest describes a template to make from one dashboard or one
// analysis: set exactly one of Dashboard and Analysis. Name is required.
type TemplateGenerateRequest struct {
	// Dashboard is the ID of the dashboard to make a template of.
	Dashboard string `json:"dashboard,omitempty"`
	// Analysis is the ID of the analysis to make a template of.
	Analysis string `json:"analysis,omitempty"`
	// Name is the template's name.
	Name string `json:"name"`
	// ImageLogo is the address of the template's logo.
	ImageLogo string `json:"image_logo,omitempty"`
	// ImageMain is the address of the template's main picture.
	ImageMain string `json:"image_main,omitempty"`
	// Setup is the template's setup (what an installer is asked), as JSON.
	Setup json.RawMessage `json:"setup,omitempty"`
}

// Generate makes a template of a dashboard or an analysis and returns the platform's
// answer, which holds the template's ID.
//
// TagoIO API: POST /template
func (s *TemplatesService) Generate(ctx context.Context, req TemplateGenerateRequest) (string, error) {
	if (req.Dashboard == "") == (req.Analysis == "") {
		return "", invalidf("template", "set exactly one of Dashboard and Analysis")
	}
	if req.Dashboard != "" {
		if err := checkID("dashboard", req.Dashboard); err != nil {
			return "", err
		}
	} else if err := checkID("analysis", req.Analysis); err != nil {
		return "", err
	}
	if err := checkName("name", req.Name); err != nil {
		return "", err
	}
	if req.Setup != nil && !json.Valid(req.Setup) {
		return "", invalidf("setup", "is not valid JSON")
	}
	return do[string](ctx, s.cl(), &call{method: "POST", path: "/template", body: req, kinds: accountOnly})
}

// TemplateDevice names a device, and its bucket, for a dashboard template's install.
type TemplateDevice struct {
	// ID is the device's ID.
	ID string `json:"id"`
	// Bucket is the device's bucket ID, which for current devices is the device's ID.
	Bucket string `json:"bucket"`
}

// TemplateInstallRequest says how to install a template; a nil request installs it as
// it is. Device, Devices and Analyses apply to dashboard templates, DeviceToken to
// analysis templates.
type TemplateInstallRequest struct {
	// Device is the device the dashboard shows.
	Device *TemplateDevice `json:"device,omitempty"`
	// Devices are the devices the dashboard shows.
	Devices *TemplateDevice `json:"devices,omitempty"`
	// Analyses are the IDs of the analyses the dashboard's buttons run.
	Analyses []string `json:"analysis,omitempty"`
	// DeviceToken is the device token an analysis template is given.
	DeviceToken Secret `json:"device_token,omitempty"`
	// Replace maps template fields to the values to install them with.
	Replace map[string]any `json:"replace,omitempty"`
}

// TemplateInstalled is what a template's install created: a dashboard or an analysis.
type TemplateInstalled struct {
	// Dashboard is the new dashboard's ID, for a dashboard template.
	Dashboard string `json:"dashboard,omitempty"`
	// Analysis is the new analysis's ID, for an analysis template.
	Analysis string `json:"analysis,omitempty"`
}

// Install installs a template in the profile and returns what it created. It is never
// repeated once the platform may have seen it, since each install creates resources.
//
// TagoIO API: POST /template/{id}
func (s *TemplatesService) Install(ctx context.Context, templateID string, req *TemplateInstallRequest) (TemplateInstalled, error) {
	if err := checkID("template ID", templateID); err != nil {
		return TemplateInstalled{}, err
	}
	var body any = struct{}{}
	if req != nil {
		for i, id := range req.Analyses {
			if err := checkID(indexKey("analyses", i, ""), id); err != nil {
				return TemplateInstalled{}, err
			}
		}
		for field, d := range map[string]*TemplateDevice{"device": req.Device, "devices": req.Devices} {
			if d != nil {
				if err := checkID(field+".id", d.ID); err != nil {
					return TemplateInstalled{}, err
				}
			}
		}
		body = req
	}
	return do[TemplateInstalled](ctx, s.cl(), &call{method: "POST", path: "/template/" + templateID, body: body, kinds: accountOnly})
}

// Template is a template as the platform describes it.
type Template struct {
	// Name is the template's name.
	Name string `json:"name"`
	// Type is "dashboard" or "analysis".
	Type string `json:"type"`
	// ImageMain is the address of the template's main picture.
	ImageMain string `json:"image_main,omitempty"`
	// ImageLogo is the address of the template's logo.
	ImageLogo string `json:"image_logo,omitempty"`
	// CreatedAt is when the template was made.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the template was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Info returns a template.
//
// TagoIO API: GET /template/{id}
func (s *TemplatesService) Info(ctx context.Context, templateID string) (Template, error) {
	if err := checkID("template ID", templateID); err != nil {
		return Template{}, err
	}
	return do[Template](ctx, s.cl(), &call{method: "GET", path: "/template/" + templateID, kinds: accountOnly})
}
