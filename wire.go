package tago

import (
	"encoding/json"
	"reflect"
	"sync"
)

// A [Secret] marshals masked with encoding/json, so that no log handler or debug dump
// that marshals a struct can print it. Request bodies are the one place where its real
// value must go out: marshalBody encodes a body through a shadow of its type in which
// every Secret is a plain string, so services pass their request structs as they are,
// and the values it revealed are redacted from the call's errors and logs.

var (
	secretType    = reflect.TypeFor[Secret]()
	stringType    = reflect.TypeFor[string]()
	anyType       = reflect.TypeFor[any]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	wireType      = reflect.TypeFor[wireMarshaler]()
	rawType       = reflect.TypeFor[json.RawMessage]()
)

// wireMarshaler is implemented by a request type with a MarshalJSON of its own (to add
// a discriminator, say) that holds a Secret: marshalWire encodes it with the Secrets'
// real values and returns them, as marshalBody does.
type wireMarshaler interface {
	marshalWire() ([]byte, []string, error)
}

// shadows caches, per type, its shadow (the type itself when it holds no Secret) and
// whether a value of it must be walked: it holds a Secret, or an interface whose
// dynamic value may.
var shadows sync.Map // reflect.Type → shadow

type shadow struct {
	typ  reflect.Type
	walk bool
}

// marshalBody encodes v as JSON with every Secret's real value, and returns those
// values so the caller can redact them.
func marshalBody(v any) ([]byte, []string, error) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		b, err := json.Marshal(v)
		return b, nil, err
	}
	if !shadowOf(rv.Type()).walk {
		b, err := json.Marshal(v)
		return b, nil, err
	}
	var revealed []string
	out := reveal(rv, &revealed)
	b, err := json.Marshal(out.Interface())
	return b, revealed, err
}

// shadowOf returns t with every Secret in it replaced by string: in fields, elements,
// map keys and values, through pointers. A type with its own MarshalJSON is its own
// business and kept; an interface becomes any, its dynamic value shadowed when the
// body is revealed.
func shadowOf(t reflect.Type) shadow {
	if s, ok := shadows.Load(t); ok {
		return s.(shadow)
	}
	s := buildShadow(t, map[reflect.Type]bool{})
	shadows.Store(t, s)
	return s
}

func buildShadow(t reflect.Type, visiting map[reflect.Type]bool) shadow {
	if t == secretType {
		return shadow{stringType, true}
	}
	if t.Kind() == reflect.Pointer { // *Secret has Secret's methods: look through it
		if e := buildShadow(t.Elem(), visiting); e.walk {
			return shadow{reflect.PointerTo(e.typ), true}
		}
		return shadow{t, false}
	}
	if t.Implements(wireType) {
		return shadow{rawType, true}
	}
	if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) || visiting[t] {
		return shadow{t, false}
	}
	visiting[t] = true
	defer delete(visiting, t)
	switch t.Kind() {
	case reflect.Slice:
		if e := buildShadow(t.Elem(), visiting); e.walk {
			return shadow{reflect.SliceOf(e.typ), true}
		}
	case reflect.Array:
		if e := buildShadow(t.Elem(), visiting); e.walk {
			return shadow{reflect.ArrayOf(t.Len(), e.typ), true}
		}
	case reflect.Map:
		k, e := buildShadow(t.Key(), visiting), buildShadow(t.Elem(), visiting)
		if k.walk || e.walk {
			return shadow{reflect.MapOf(k.typ, e.typ), true}
		}
	case reflect.Interface:
		return shadow{anyType, true}
	case reflect.Struct:
		fields := make([]reflect.StructField, 0, t.NumField())
		walk := false
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				// encoding/json skips unexported fields (it promotes the exported fields
				// of an unexported embedded struct, which no request type has); the
				// shadow drops them.
				continue
			}
			if s := buildShadow(f.Type, visiting); s.walk {
				f.Type, walk = s.typ, true
			}
			f.Index, f.Offset = nil, 0
			fields = append(fields, f)
		}
		if walk {
			return shadow{reflect.StructOf(fields), true}
		}
	}
	return shadow{t, false}
}

// reveal returns v converted to its shadow type, collecting the Secrets' values.
func reveal(v reflect.Value, revealed *[]string) reflect.Value {
	t := v.Type()
	sh := shadowOf(t)
	st := sh.typ
	switch {
	case t == secretType:
		s := v.String()
		if s != "" {
			*revealed = append(*revealed, s)
		}
		return reflect.ValueOf(s)
	case t.Kind() != reflect.Pointer && t.Implements(wireType):
		b, secrets, err := v.Interface().(wireMarshaler).marshalWire()
		if err != nil {
			b = nil // json.Marshal reports the invalid RawMessage
		}
		*revealed = append(*revealed, secrets...)
		return reflect.ValueOf(json.RawMessage(b))
	case t.Kind() == reflect.Interface:
		out := reflect.New(anyType).Elem()
		if !v.IsNil() {
			out.Set(reveal(v.Elem(), revealed))
		}
		return out
	case !sh.walk:
		return v
	}
	out := reflect.New(st).Elem()
	switch t.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			p := reflect.New(st.Elem())
			p.Elem().Set(reveal(v.Elem(), revealed))
			out.Set(p)
		}
	case reflect.Slice:
		if !v.IsNil() {
			out.Set(reflect.MakeSlice(st, v.Len(), v.Len()))
			for i := range v.Len() {
				out.Index(i).Set(reveal(v.Index(i), revealed))
			}
		}
	case reflect.Array:
		for i := range v.Len() {
			out.Index(i).Set(reveal(v.Index(i), revealed))
		}
	case reflect.Map:
		if !v.IsNil() {
			out.Set(reflect.MakeMapWithSize(st, v.Len()))
			for it := v.MapRange(); it.Next(); {
				out.SetMapIndex(reveal(it.Key(), revealed), reveal(it.Value(), revealed))
			}
		}
	case reflect.Struct:
		j := 0
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			out.Field(j).Set(reveal(v.Field(i), revealed))
			j++
		}
	}
	return out
}
