package tago

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"
)

// EntitiesService manages the profile's entities: tables of records with a typed
// schema and indexes, for data written less often than sensor readings (sites,
// equipment, contacts). Its methods need an account (profile) token. The records
// themselves are read and written with [EntitiesService.SendData],
// [EntitiesService.GetData], [EntitiesService.Stream], [EntitiesService.EditData] and
// [EntitiesService.DeleteData].
type EntitiesService service

// cl returns the service's client, or nil for a nil service.
func (s *EntitiesService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// EntityFieldType is the type of an entity field.
type EntityFieldType string

// The field types the official SDK declares. The platform's own tools (its MCP server)
// say it accepts only string, text, int, float, json and timestamp for fields a user
// defines: uuid is the type of the id field it creates, and boolean is refused there.
// The SDK sends whichever type it is given and leaves the refusal to the platform.
const (
	EntityUUID      EntityFieldType = "uuid"      // EntityUUID is the type of the id field.
	EntityString    EntityFieldType = "string"    // EntityString holds up to 255 characters.
	EntityInt       EntityFieldType = "int"       // EntityInt holds a 32-bit integer.
	EntityFloat     EntityFieldType = "float"     // EntityFloat holds a floating-point number.
	EntityJSON      EntityFieldType = "json"      // EntityJSON holds a JSON value.
	EntityTimestamp EntityFieldType = "timestamp" // EntityTimestamp holds an ISO-8601 time.
	EntityText      EntityFieldType = "text"      // EntityText holds a long text.
	EntityBoolean   EntityFieldType = "boolean"   // EntityBoolean holds true or false.
)

// checkEntityFieldType refuses an empty or unknown type.
func checkEntityFieldType(field string, t EntityFieldType) error {
	switch t {
	case EntityUUID, EntityString, EntityInt, EntityFloat, EntityJSON, EntityTimestamp, EntityText, EntityBoolean:
		return nil
	case "":
		return invalidf(field, "is required")
	}
	return invalidf(field, "unknown type %q (want uuid, string, int, float, json, timestamp, text or boolean)", string(t))
}

// EntityField is one field of an entity's schema.
type EntityField struct {
	// Type is the field's type; it cannot be changed once the field exists.
	Type EntityFieldType `json:"type"`
	// Required says whether every record must give the field.
	Required bool `json:"required"`
}

// EntityIndex is an index of an entity: the fields it covers, in order. Filters of
// [EntitiesService.GetData] name an index and filter on a left-to-right prefix of its
// fields; records come ordered by its last field.
type EntityIndex struct {
	// Fields are the indexed fields, 1 to 5 of them.
	Fields []string `json:"fields"`
}

// Entity is an entity as the platform describes it. List calls fill only the fields
// they were asked for; Info fills them all.
type Entity struct {
	// ID is the entity's ID.
	ID string `json:"id"`
	// Name is the entity's name.
	Name string `json:"name,omitempty"`
	// Profile is the ID of the profile owning the entity.
	Profile string `json:"profile,omitempty"`
	// Database is the ID of the database holding the entity's records.
	Database string `json:"database,omitempty"`
	// Schema is the entity's fields by name, the platform's own (id, created_at,
	// updated_at) included.
	Schema map[string]EntityField `json:"schema,omitempty"`
	// Index is the entity's indexes by name, the platform's own (such as id_idx)
	// included.
	Index map[string]EntityIndex `json:"index,omitempty"`
	// Tags are the entity's tags.
	Tags []Tag `json:"tags,omitempty"`
	// PayloadDecoder is the entity's schema parser (base64 JavaScript), run on the
	// records sent to it; empty for none.
	PayloadDecoder string `json:"payload_decoder,omitempty"`
	// CreatedAt is when the entity was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the entity was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// EntityListOptions filters and pages [EntitiesService.List] and
// [EntitiesService.All].
type EntityListOptions struct {
	ListOptions
	// Name keeps entities whose name matches, * wildcards allowed.
	Name string
	// Tags keeps entities carrying every one of these tags.
	Tags []Tag
}

// entitiesDefaults are the official SDK's defaults for entity lists.
var entitiesDefaults = listDefaults{fields: []string{"id", "profile", "name", "tags"}, order: Asc("name")}

// List returns one page of the profile's entities. Without Fields it asks for id,
// profile, name and tags; the default order is by name, ascending.
//
// TagoIO API: GET /entity
func (s *EntitiesService) List(ctx context.Context, opts *EntityListOptions) ([]Entity, error) {
	var o EntityListOptions
	if opts != nil {
		o = *opts
	}
	if err := checkTags("tags", o.Tags); err != nil {
		return nil, err
	}
	q, err := listQuery(&o.ListOptions, entitiesDefaults, func(q *query) {
		q.addString("filter[name]", o.Name)
		q.addTags("filter[tags]", o.Tags)
	})
	if err != nil {
		return nil, err
	}
	return do[[]Entity](ctx, s.cl(), &call{method: "GET", path: "/entity", query: q, kinds: accountOnly})
}

// All returns an iterator over every entity matching opts, fetching pages as the
// caller ranges.
//
// TagoIO API: GET /entity
func (s *EntitiesService) All(ctx context.Context, opts *EntityListOptions) iter.Seq2[Entity, error] {
	var o EntityListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]Entity, error) {
		p := o
		p.ListOptions = page
		return s.List(ctx, &p)
	})
}

// EntityCreateRequest describes a new entity. Name is required. The platform adds
// the fields id, created_at and updated_at and the indexes on them itself: Schema
// names the entity's other fields, and Index may only cover fields of Schema and
// those three.
type EntityCreateRequest struct {
	// Name is the entity's name.
	Name string `json:"name"`
	// Schema is the entity's fields by name.
	Schema map[string]EntityField `json:"schema,omitempty"`
	// Index is the entity's indexes by name.
	Index map[string]EntityIndex `json:"index,omitempty"`
	// Tags are the entity's tags.
	Tags []Tag `json:"tags,omitempty"`
	// PayloadDecoder is a schema parser, base64-encoded JavaScript run on the records
	// sent to the entity.
	PayloadDecoder *string `json:"payload_decoder,omitempty"`
}

// entityOwnFields are the fields every entity has, which the platform keeps itself.
var entityOwnFields = []string{"id", "created_at", "updated_at"}

// maxIndexFields is how many fields one index may cover.
const maxIndexFields = 5

// check validates a new entity.
func (r *EntityCreateRequest) check() error {
	if err := checkName("name", r.Name); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(r.Schema)) {
		if err := checkNewFieldName("schema", name); err != nil {
			return err
		}
		if err := checkEntityFieldType("schema["+name+"].type", r.Schema[name].Type); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.Index)) {
		if err := checkIndex("index", name, r.Index[name].Fields, func(f string) bool {
			_, inSchema := r.Schema[f]
			return inSchema || slices.Contains(entityOwnFields, f)
		}); err != nil {
			return err
		}
	}
	return checkTags("tags", r.Tags)
}

// checkNewFieldName refuses a blank field name and the platform's own fields, which
// can be neither defined nor changed.
func checkNewFieldName(where, name string) error {
	if strings.TrimSpace(name) == "" {
		return invalidf(where, "a field name must not be empty")
	}
	if slices.Contains(entityOwnFields, name) {
		return invalidf(where+"["+name+"]", "is one of the platform's own fields (id, created_at, updated_at), which cannot be defined or changed")
	}
	return nil
}

// checkIndex validates an index: a name, 1 to 5 distinct fields, each known (when
// known is not nil).
func checkIndex(where, name string, fields []string, known func(string) bool) error {
	if strings.TrimSpace(name) == "" {
		return invalidf(where, "an index name must not be empty")
	}
	at := where + "[" + name + "].fields"
	if len(fields) == 0 || len(fields) > maxIndexFields {
		return invalidf(at, "an index covers 1 to %d fields, got %d", maxIndexFields, len(fields))
	}
	for i, f := range fields {
		switch {
		case strings.TrimSpace(f) == "":
			return invalidf(indexKey(at, i, ""), "must not be empty")
		case slices.Index(fields, f) < i:
			return invalidf(indexKey(at, i, ""), "%q is given twice", f)
		case known != nil && !known(f):
			return invalidf(indexKey(at, i, ""), "%q is not a field of the schema", f)
		}
	}
	return nil
}

// Create creates an entity and returns its ID.
//
// TagoIO API: POST /entity
func (s *EntitiesService) Create(ctx context.Context, req EntityCreateRequest) (string, error) {
	if err := req.check(); err != nil {
		return "", err
	}
	id, err := do[createdID[idKey]](ctx, s.cl(), &call{method: "POST", path: "/entity", body: req, kinds: accountOnly})
	return string(id), err
}

// Info returns one entity with its schema and indexes.
//
// TagoIO API: GET /entity/{id}
func (s *EntitiesService) Info(ctx context.Context, entityID string) (Entity, error) {
	if err := checkID("entity ID", entityID); err != nil {
		return Entity{}, err
	}
	return do[Entity](ctx, s.cl(), &call{method: "GET", path: "/entity/" + entityID, kinds: accountOnly})
}

// EntityEditRequest changes an entity's name, tags or schema parser; nil fields are
// left unchanged. Fields and indexes change through [EntitiesService.EditSchema].
type EntityEditRequest struct {
	// Name is the new name.
	Name *string `json:"name,omitempty"`
	// Tags replace the entity's tags; an empty non-nil slice removes them all.
	Tags []Tag `json:"tags,omitzero"`
	// PayloadDecoder replaces the schema parser (base64 JavaScript); a pointer to ""
	// removes it (sent as null).
	PayloadDecoder *string `json:"payload_decoder,omitempty"`
}

// MarshalJSON writes the edit, with payload_decoder null when it removes the parser.
func (r EntityEditRequest) MarshalJSON() ([]byte, error) {
	type plain EntityEditRequest // without this method
	if r.PayloadDecoder != nil && *r.PayloadDecoder == "" {
		return json.Marshal(struct {
			plain
			PayloadDecoder *string `json:"payload_decoder"`
		}{plain: plain(r)})
	}
	return json.Marshal(plain(r))
}

// Edit changes an entity's name, tags or schema parser.
//
// TagoIO API: PUT /entity/{id}
func (s *EntitiesService) Edit(ctx context.Context, entityID string, req EntityEditRequest) error {
	if err := checkID("entity ID", entityID); err != nil {
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
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/entity/" + entityID, body: req, kinds: accountOnly})
}

// Delete deletes an entity with all its records.
//
// TagoIO API: DELETE /entity/{id}
func (s *EntitiesService) Delete(ctx context.Context, entityID string) error {
	if err := checkID("entity ID", entityID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/entity/" + entityID, kinds: accountOnly})
}

// Amount returns how many records an entity holds.
//
// TagoIO API: GET /entity/{id}/data_amount
func (s *EntitiesService) Amount(ctx context.Context, entityID string) (int64, error) {
	if err := checkID("entity ID", entityID); err != nil {
		return 0, err
	}
	n, err := do[amountResult](ctx, s.cl(), &call{method: "GET", path: "/entity/" + entityID + "/data_amount", kinds: accountOnly})
	return int64(n), err
}

// Empty removes every record of an entity, keeping the entity, its schema and its
// indexes. It is never repeated once the platform may have seen it.
//
// TagoIO API: POST /entity/{id}/empty
func (s *EntitiesService) Empty(ctx context.Context, entityID string) error {
	if err := checkID("entity ID", entityID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/entity/" + entityID + "/empty", kinds: accountOnly})
}

// EntitySchemaAction is what a schema edit does to a field or an index.
type EntitySchemaAction string

// The schema edit actions. Fields take all four; indexes take create and delete.
const (
	EntityCreate EntitySchemaAction = "create" // EntityCreate adds a field or an index.
	EntityRename EntitySchemaAction = "rename" // EntityRename renames a field.
	EntityUpdate EntitySchemaAction = "update" // EntityUpdate changes whether a field is required.
	EntityDelete EntitySchemaAction = "delete" // EntityDelete removes a field (and its values) or an index.
)

// EntityFieldChange is one change to a field in [EntitySchemaEdit]: create (Type,
// and Required), rename (NewName), update (Required; a field's type cannot change) or
// delete (nothing else).
type EntityFieldChange struct {
	// Action is what to do.
	Action EntitySchemaAction `json:"action"`
	// Type is a new field's type.
	Type EntityFieldType `json:"type,omitempty"`
	// Required says whether records must give the field (create, update). The
	// platform refuses to make a field required while records lack it.
	Required *bool `json:"required,omitempty"`
	// NewName is a renamed field's new name.
	NewName string `json:"new_name,omitempty"`
}

// EntityIndexChange is one change to an index in [EntitySchemaEdit]: create (Fields)
// or delete. An index cannot be edited; delete it and create it again.
type EntityIndexChange struct {
	// Action is EntityCreate or EntityDelete.
	Action EntitySchemaAction `json:"action"`
	// Fields are a new index's fields, 1 to 5, in order.
	Fields []string `json:"fields,omitempty"`
}

// EntitySchemaEdit is a set of changes to an entity's fields and indexes, applied by
// one request: fields first, so a new index may cover a field created with it.
type EntitySchemaEdit struct {
	// Fields are the changes to fields, by field name.
	Fields map[string]EntityFieldChange `json:"schema,omitempty"`
	// Indexes are the changes to indexes, by index name.
	Indexes map[string]EntityIndexChange `json:"index,omitempty"`
}

// check validates the changes.
func (e *EntitySchemaEdit) check() error {
	if len(e.Fields) == 0 && len(e.Indexes) == 0 {
		return invalidf("schema edit", "must change at least one field or index")
	}
	for _, name := range slices.Sorted(maps.Keys(e.Fields)) {
		if err := checkNewFieldName("fields", name); err != nil {
			return err
		}
		ch, at := e.Fields[name], "fields["+name+"]"
		only := func(allowed string) error {
			for _, f := range []struct {
				name  string
				given bool
			}{{"type", ch.Type != ""}, {"required", ch.Required != nil}, {"new name", ch.NewName != ""}} {
				if f.given && !strings.Contains(allowed, f.name) {
					return invalidf(at+"."+strings.ReplaceAll(f.name, " ", "_"), "does not apply to %s", ch.Action)
				}
			}
			return nil
		}
		switch ch.Action {
		case EntityCreate:
			if err := checkEntityFieldType(at+".type", ch.Type); err != nil {
				return err
			}
			if err := only("type required"); err != nil {
				return err
			}
		case EntityRename:
			if err := checkNewFieldName(at+".new_name", ch.NewName); err != nil {
				return err
			}
			if ch.NewName == name {
				return invalidf(at+".new_name", "is the field's name already")
			}
			if err := only("new name"); err != nil {
				return err
			}
		case EntityUpdate:
			if ch.Type != "" {
				return invalidf(at+".type", "a field's type cannot be changed; create a field of the new type and copy the values")
			}
			if ch.Required == nil {
				return invalidf(at+".required", "is the only thing an update changes, and is missing")
			}
			if err := only("required"); err != nil {
				return err
			}
		case EntityDelete:
			if err := only(""); err != nil {
				return err
			}
		case "":
			return invalidf(at+".action", "is required")
		default:
			return invalidf(at+".action", "unknown action %q (want create, rename, update or delete)", string(ch.Action))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(e.Indexes)) {
		ch, at := e.Indexes[name], "indexes["+name+"]"
		switch ch.Action {
		case EntityCreate:
			if err := checkIndex("indexes", name, ch.Fields, nil); err != nil {
				return err
			}
		case EntityDelete:
			if strings.TrimSpace(name) == "" {
				return invalidf("indexes", "an index name must not be empty")
			}
			if len(ch.Fields) > 0 {
				return invalidf(at+".fields", "does not apply to delete")
			}
		case "":
			return invalidf(at+".action", "is required")
		default:
			return invalidf(at+".action", "unknown action %q (want create or delete)", string(ch.Action))
		}
	}
	return nil
}

// EditSchema applies changes to an entity's fields and indexes in one request (the
// official SDK's editSchemaIndex). The methods AddField, RenameField, UpdateField,
// DeleteField, AddIndex and DeleteIndex each make one change through it.
//
// TagoIO API: PUT /entity/{id}/schema
func (s *EntitiesService) EditSchema(ctx context.Context, entityID string, edit EntitySchemaEdit) error {
	if err := checkID("entity ID", entityID); err != nil {
		return err
	}
	if err := edit.check(); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/entity/" + entityID + "/schema", body: edit, kinds: accountOnly})
}

// AddField adds a field to an entity. The platform refuses a required field while
// the entity holds records, which would lack it: add it optional, fill it in, then
// make it required with UpdateField.
//
// TagoIO API: PUT /entity/{id}/schema
func (s *EntitiesService) AddField(ctx context.Context, entityID, name string, field EntityField) error {
	return s.EditSchema(ctx, entityID, EntitySchemaEdit{Fields: map[string]EntityFieldChange{
		name: {Action: EntityCreate, Type: field.Type, Required: &field.Required},
	}})
}

// RenameField renames a field of an entity, keeping its type and values.
//
// TagoIO API: PUT /entity/{id}/schema
func (s *EntitiesService) RenameField(ctx context.Context, entityID, name, newName string) error {
	return s.EditSchema(ctx, entityID, EntitySchemaEdit{Fields: map[string]EntityFieldChange{
		name: {Action: EntityRename, NewName: newName},
	}})
}

// UpdateField changes whether a field of an entity is required (a field's type
// cannot change).
//
// TagoIO API: PUT /entity/{id}/schema
func (s *EntitiesService) UpdateField(ctx context.Context, entityID, name string, required bool) error {
	return s.EditSchema(ctx, entityID, EntitySchemaEdit{Fields: map[string]EntityFieldChange{
		name: {Action: EntityUpdate, Required: &required},
	}})
}

// DeleteField removes a field from an entity, with every value stored in it.
//
// TagoIO API: PUT /entity/{id}/schema
func (s *EntitiesService) DeleteField(ctx context.Context, entityID, name string) error {
	return s.EditSchema(ctx, entityID, EntitySchemaEdit{Fields: map[string]EntityFieldChange{
		name: {Action: EntityDelete},
	}})
}

// AddIndex adds an index on 1 to 5 fields of an entity, in order.
//
// TagoIO API: PUT /entity/{id}/schema
func (s *EntitiesService) AddIndex(ctx context.Context, entityID, name string, fields ...string) error {
	return s.EditSchema(ctx, entityID, EntitySchemaEdit{Indexes: map[string]EntityIndexChange{
		name: {Action: EntityCreate, Fields: fields},
	}})
}

// DeleteIndex removes an index from an entity.
//
// TagoIO API: PUT /entity/{id}/schema
func (s *EntitiesService) DeleteIndex(ctx context.Context, entityID, name string) error {
	return s.EditSchema(ctx, entityID, EntitySchemaEdit{Indexes: map[string]EntityIndexChange{
		name: {Action: EntityDelete},
	}})
}

// entityPath returns the path of an entity's sub-resource, or the ID's error.
func entityPath(entityID, sub string) (string, error) {
	if err := checkID("entity ID", entityID); err != nil {
		return "", err
	}
	return fmt.Sprintf("/entity/%s/%s", entityID, sub), nil
}
