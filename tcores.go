package tago

import (
	"context"
	"iter"
	"time"
)

// TagoCoresService manages the TagoCore instances (self-hosted servers) connected to
// the profile (account token).
type TagoCoresService service

// cl returns the service's client, or nil for a nil service.
func (s *TagoCoresService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// TagoCore is a TagoCore instance as the platform describes it. List calls fill only
// the fields they were asked for; Info fills them all.
type TagoCore struct {
	// ID is the instance's ID.
	ID string `json:"id"`
	// Name is the instance's name.
	Name string `json:"name,omitempty"`
	// Profile is the ID of the profile the instance belongs to.
	Profile string `json:"profile,omitempty"`
	// Active says whether the instance is enabled.
	Active bool `json:"active"`
	// Connected says whether the instance is connected now.
	Connected bool `json:"connected"`
	// Tags are the instance's tags.
	Tags []Tag `json:"tags,omitempty"`
	// Token is the instance's token.
	Token Secret `json:"token,omitempty"`
	// MachineID identifies the machine the instance runs on.
	MachineID string `json:"machine_id,omitempty"`
	// InternetIP is the instance's public address.
	InternetIP string `json:"internet_ip,omitempty"`
	// LocalIPs are the instance's local addresses.
	LocalIPs string `json:"local_ips,omitempty"`
	// Version is the instance's TagoCore version.
	Version string `json:"tcore_version,omitempty"`
	// OS is the instance's operating system.
	OS *TagoCoreOS `json:"os,omitempty"`
	// ComputerUsage describes the machine's resources in use.
	ComputerUsage []TagoCoreUsage `json:"computer_usage,omitempty"`
	// Summary counts the instance's resources.
	Summary *TagoCoreSummary `json:"summary,omitempty"`
	// LastConnection is when the instance last connected.
	LastConnection time.Time `json:"last_connection,omitzero"`
	// SystemStartTime is when the machine started.
	SystemStartTime time.Time `json:"system_start_time,omitzero"`
	// StartTime is when TagoCore started.
	StartTime time.Time `json:"tcore_start_time,omitzero"`
	// CreatedAt is when the instance was registered.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the instance was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// TagoCoreOS is the operating system a TagoCore instance runs on.
type TagoCoreOS struct {
	// Name is the system's name.
	Name string `json:"name"`
	// Arch is the processor architecture.
	Arch string `json:"arch"`
	// Version is the system's version.
	Version string `json:"version"`
	// Platform is the platform, such as "linux".
	Platform string `json:"platform,omitempty"`
}

// TagoCoreUsage is one resource of a TagoCore machine and how much of it is used.
type TagoCoreUsage struct {
	// Total is the resource's size.
	Total float64 `json:"total"`
	// Used is how much of it is in use.
	Used float64 `json:"used"`
	// Title names the resource.
	Title string `json:"title"`
	// Type is the resource's kind, such as "memory".
	Type string `json:"type"`
	// Description describes the resource.
	Description string `json:"description"`
	// Detail is more about the resource.
	Detail string `json:"detail"`
}

// TagoCoreSummary counts a TagoCore instance's resources.
type TagoCoreSummary struct {
	// Device is how many devices it holds.
	Device int `json:"device"`
	// Action is how many actions it holds.
	Action int `json:"action"`
	// Analysis is how many analyses it holds.
	Analysis int `json:"analysis"`
}

// TagoCoreListOptions filters and pages [TagoCoresService.List] and
// [TagoCoresService.All].
type TagoCoreListOptions struct {
	ListOptions
	// Name keeps instances whose name matches, * wildcards allowed.
	Name string
	// Active keeps active (true) or inactive (false) instances; nil keeps both.
	Active *bool
	// Tags keeps instances carrying every one of these tags.
	Tags []Tag
}

// tcoresDefaults are the official SDKs' defaults for TagoCore lists.
var tcoresDefaults = listDefaults{fields: []string{"id", "name"}, order: Asc("name")}

// List returns one page of the profile's TagoCore instances. Without Fields it asks
// for id and name; the default order is by name, ascending.
//
// TagoIO API: GET /tcore/instance
func (s *TagoCoresService) List(ctx context.Context, opts *TagoCoreListOptions) ([]TagoCore, error) {
	var o TagoCoreListOptions
	if opts != nil {
		o = *opts
	}
	if err := checkTags("tags", o.Tags); err != nil {
		return nil, err
	}
	q, err := listQuery(&o.ListOptions, tcoresDefaults, func(q *query) {
		q.addString("filter[name]", o.Name)
		q.addBoolPtr("filter[active]", o.Active)
		q.addTags("filter[tags]", o.Tags)
	})
	if err != nil {
		return nil, err
	}
	return do[[]TagoCore](ctx, s.cl(), &call{method: "GET", path: "/tcore/instance", query: q, kinds: accountOnly})
}

// All returns an iterator over every TagoCore instance matching opts, fetching pages
// as the caller ranges.
//
// TagoIO API: GET /tcore/instance
func (s *TagoCoresService) All(ctx context.Context, opts *TagoCoreListOptions) iter.Seq2[TagoCore, error] {
	var o TagoCoreListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]TagoCore, error) {
		p := o
		p.ListOptions = page
		return s.List(ctx, &p)
	})
}

// Info returns one TagoCore instance; with summary, its resource counts too.
//
// TagoIO API: GET /tcore/instance/{id}
func (s *TagoCoresService) Info(ctx context.Context, tcoreID string, summary bool) (TagoCore, error) {
	if err := checkID("TagoCore ID", tcoreID); err != nil {
		return TagoCore{}, err
	}
	var q query
	if summary {
		q.addBool("summary", true)
	}
	return do[TagoCore](ctx, s.cl(), &call{method: "GET", path: "/tcore/instance/" + tcoreID, query: &q, kinds: accountOnly})
}

// TagoCoreEditRequest changes a TagoCore instance; nil fields are left unchanged.
type TagoCoreEditRequest struct {
	// Name is the new name.
	Name *string `json:"name,omitempty"`
	// Active enables or disables the instance.
	Active *bool `json:"active,omitempty"`
	// Tags replace the instance's tags; an empty non-nil slice removes them all.
	Tags []Tag `json:"tags,omitzero"`
}

// Edit changes a TagoCore instance.
//
// TagoIO API: PUT /tcore/instance/{id}
func (s *TagoCoresService) Edit(ctx context.Context, tcoreID string, req TagoCoreEditRequest) error {
	if err := checkID("TagoCore ID", tcoreID); err != nil {
		return err
	}
	if req.Name != nil {
		if err := checkName("name", *req.Name); err != nil {
			return err
		}
	}
	if err := checkTags("tags", req.Tags); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/tcore/instance/" + tcoreID, body: req, kinds: accountOnly})
}

// Delete removes a TagoCore instance from the profile.
//
// TagoIO API: DELETE /tcore/instance/{id}
func (s *TagoCoresService) Delete(ctx context.Context, tcoreID string) error {
	if err := checkID("TagoCore ID", tcoreID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/tcore/instance/" + tcoreID, kinds: accountOnly})
}

// GenerateToken creates a new token for a TagoCore instance, with which it connects
// to the profile. It is never repeated once the platform may have seen it.
//
// TagoIO API: GET /tcore/instance/{id}/token
func (s *TagoCoresService) GenerateToken(ctx context.Context, tcoreID string) (Secret, error) {
	if err := checkID("TagoCore ID", tcoreID); err != nil {
		return "", err
	}
	tok, err := do[Secret](ctx, s.cl(), &call{method: "GET", path: "/tcore/instance/" + tcoreID + "/token", kinds: accountOnly, noReplay: true})
	return tok, err
}

// tcoreDevicesDefaults are the official SDK's defaults for a TagoCore's device list.
var tcoreDevicesDefaults = listDefaults{fields: []string{"id", "name"}, order: Asc("name")}

// Devices returns one page of the devices of a standalone TagoCore instance (one that
// keeps its devices itself), with the filters, paging and ordering of
// [DevicesService.List]. Without Fields it asks for id and name; the default order is
// by name, ascending.
//
// TagoIO API: GET /device?tcore={id}
func (s *TagoCoresService) Devices(ctx context.Context, tcoreID string, opts *DeviceListOptions) ([]Device, error) {
	if err := checkID("TagoCore ID", tcoreID); err != nil {
		return nil, err
	}
	q, err := deviceListQuery(opts, tcoreDevicesDefaults)
	if err != nil {
		return nil, err
	}
	q.addString("tcore", tcoreID)
	return do[[]Device](ctx, s.cl(), &call{method: "GET", path: "/device", query: q, kinds: accountOnly})
}

// AllDevices returns an iterator over every device of a standalone TagoCore instance
// matching opts, fetching pages as the caller ranges.
//
// TagoIO API: GET /device?tcore={id}
func (s *TagoCoresService) AllDevices(ctx context.Context, tcoreID string, opts *DeviceListOptions) iter.Seq2[Device, error] {
	var o DeviceListOptions
	if opts != nil {
		o = *opts
	}
	if err := checkID("TagoCore ID", tcoreID); err != nil {
		return errSeq[Device](err)
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]Device, error) {
		p := o
		p.ListOptions = page
		return s.Devices(ctx, tcoreID, &p)
	})
}

// DeviceInfo returns one device of a standalone TagoCore instance.
//
// TagoIO API: GET /device/{id}?tcore={tcoreID}
func (s *TagoCoresService) DeviceInfo(ctx context.Context, tcoreID, deviceID string) (Device, error) {
	if err := checkID("TagoCore ID", tcoreID); err != nil {
		return Device{}, err
	}
	if err := checkID("device ID", deviceID); err != nil {
		return Device{}, err
	}
	q := &query{}
	q.addString("tcore", tcoreID)
	return do[Device](ctx, s.cl(), &call{method: "GET", path: "/device/" + deviceID, query: q, kinds: accountOnly})
}
