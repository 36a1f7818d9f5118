"""The HTTP contract: the OpenAPI document, answers, request bodies, hostile input and
fuzzing."""
