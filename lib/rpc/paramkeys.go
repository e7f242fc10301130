package rpc

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// exactKeys refuses, in the JSON value raw about to be decoded into a
// value of type t, an object key that names a struct field only
// case-insensitively. encoding/json folds case when it matches keys to
// fields, so {"account":"a","Account":"b"} would decode as "b"; the
// request decoder already matches the request's own members exactly.
// Keys that match no field are left to the decoder (DisallowUnknownFields
// or not), and so are values of the wrong shape.
func exactKeys(raw json.RawMessage, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if len(raw) == 0 {
		return nil
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil // the type reads its own JSON
	}
	switch t.Kind() {
	case reflect.Struct:
		if raw[0] != '{' {
			return nil
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return nil
		}
		fields := fieldsOf(t)
		for k, v := range obj {
			if ft, ok := fields.exact[k]; ok {
				if err := exactKeys(v, ft); err != nil {
					return err
				}
				continue
			}
			for _, want := range fields.names {
				if strings.EqualFold(k, want) { // encoding/json's folding
					return fmt.Errorf("unknown field %q (names are case-sensitive: want %q)", truncate(k, 64), want)
				}
			}
		}
	case reflect.Slice, reflect.Array, reflect.Map:
		if !hasStruct(t.Elem()) {
			return nil
		}
		var elems []json.RawMessage
		if raw[0] == '[' && json.Unmarshal(raw, &elems) == nil {
			for _, e := range elems {
				if err := exactKeys(e, t.Elem()); err != nil {
					return err
				}
			}
		}
		var vals map[string]json.RawMessage
		if raw[0] == '{' && json.Unmarshal(raw, &vals) == nil {
			for _, e := range vals {
				if err := exactKeys(e, t.Elem()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// jsonFields are a struct type's JSON names, with their types.
type jsonFields struct {
	exact map[string]reflect.Type
	names []string
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

var fieldCache sync.Map // reflect.Type -> *jsonFields

// fieldsOf returns the JSON names of struct type t as encoding/json sees
// them (the tag's name, else the field's; embedded structs' fields
// promoted).
func fieldsOf(t reflect.Type) *jsonFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*jsonFields)
	}
	f := &jsonFields{exact: map[string]reflect.Type{}}
	var add func(t reflect.Type)
	add = func(t reflect.Type) {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			ft := sf.Type
			if sf.Anonymous && name == "" {
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					add(ft)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			f.exact[name] = sf.Type
			f.names = append(f.names, name)
		}
	}
	add(t)
	fieldCache.Store(t, f)
	return f
}

// hasStruct reports whether a value of type t can hold a struct decoded
// from a JSON object.
func hasStruct(t reflect.Type) bool {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			return true
		default:
			return false
		}
	}
}
