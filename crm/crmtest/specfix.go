package crmtest

import "github.com/getkin/kin-openapi/openapi3"

// fixKnownSpecErrors corrects, in the loaded document only, what a vendor
// spec gets wrong against the vendor's own documentation and behaviour,
// so that a client doing the right thing is not reported.
//
// HubSpot: PublicObjectSearchRequest.sorts is typed as strings, but the
// search guide sorts with {"propertyName","direction"} objects and string
// sorts are ignored (HubSpot's official clients had to work around the
// generated type). Both forms are accepted.
func fixKnownSpecErrors(doc *openapi3.T) {
	if doc.Components == nil {
		return
	}
	req := doc.Components.Schemas["PublicObjectSearchRequest"]
	if req == nil || req.Value == nil {
		return
	}
	sorts := req.Value.Properties["sorts"]
	if sorts == nil || sorts.Value == nil {
		return
	}
	object := openapi3.NewObjectSchema().
		WithProperty("propertyName", openapi3.NewStringSchema()).
		WithProperty("direction", openapi3.NewStringSchema().WithEnum("ASCENDING", "DESCENDING"))
	object.Required = []string{"propertyName"}
	sorts.Value.Items = openapi3.NewOneOfSchema(openapi3.NewStringSchema(), object).NewRef()
}
