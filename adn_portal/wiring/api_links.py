"""OpenAPI links (drf-spectacular post-processing hook): how an answer's identifiers feed the
next call, as an integrator chains them (the list's first row opens the object; a created
file's id its steps, documents and submission; a file's reviewers the assignment). Generated
clients document them, and schemathesis's stateful phase follows them (`make test-api-fuzz`)."""

# (from operation, its success status, to operation, parameters, request body or None)
LIST = "$response.body#/results/0/"
CREATED = "$response.body#/"
FILE_READS = (
    "applications_retrieve",
    "applications_attachments_list",
    "applications_checks_list",
    "applications_messages_list",
    "applications_timeline_list",
)
FILE_WRITES = (
    "applications_submit_create",
    "applications_withdraw_create",
    "applications_answer_create",
    "applications_attachments_create",
    "applications_messages_create",
    "applications_destroy",
)
STAFF_FILE = (
    "staff_applications_retrieve",
    "staff_applications_reviewers_list",
    "staff_applications_messages_list",
    "staff_applications_declaration_create",
    "staff_applications_transitions_create",
    "staff_applications_notes_create",
    "staff_applications_information_requests_create",
    "staff_applications_scores_create",
    "staff_applications_messages_create",
)

LINKS: list[tuple[str, str, str, dict, dict | None]] = [
    ("programmes_list", "200", "programmes_retrieve", {"slug": "$response.body#/0/slug"}, None),
    ("calls_list", "200", "calls_retrieve", {"slug": f"{LIST}slug"}, None),
    ("calls_list", "200", "calls_form_retrieve", {"slug": f"{LIST}slug"}, None),
    ("calls_retrieve", "200", "calls_form_retrieve", {"slug": f"{CREATED}slug"}, None),
    ("experts_list", "200", "experts_retrieve", {"slug": f"{LIST}slug"}, None),
    ("me_organisations_list", "200", "me_organisations_retrieve", {"id": f"{LIST}id"}, None),
    ("me_organisations_list", "200", "me_organisations_sme_retrieve", {"id": f"{LIST}id"}, None),
    (
        "me_organisations_retrieve",
        "200",
        "me_organisations_sme_update",
        {"id": f"{CREATED}id"},
        None,
    ),
    *[("applications_list", "200", target, {"id": f"{LIST}id"}, None) for target in FILE_READS],
    *[
        ("applications_create", "201", target, {"id": f"{CREATED}id"}, None)
        for target in (*FILE_READS, *FILE_WRITES)
    ],
    (
        "applications_create",
        "201",
        "applications_steps_update",
        {"id": f"{CREATED}id", "step": f"{CREATED}next_step"},
        {"version": f"{CREATED}version", "data": {}, "complete": False},
    ),
    (
        "applications_retrieve",
        "200",
        "applications_steps_update",
        {"id": f"{CREATED}id", "step": f"{CREATED}next_step"},
        {"version": f"{CREATED}version", "data": {}, "complete": False},
    ),
    *[
        ("staff_applications_list", "200", target, {"id": f"{LIST}id"}, None)
        for target in STAFF_FILE
    ],
    (
        "staff_applications_reviewers_list",
        "200",
        "staff_applications_assignment_create",
        {"id": "$request.path.id"},
        {"reviewer": "$response.body#/0/id"},
    ),
    ("staff_exports_create", "201", "staff_exports_retrieve", {"id": f"{CREATED}id"}, None),
    (
        "staff_exports_create",
        "201",
        "staff_exports_download_retrieve",
        {"id": f"{CREATED}id"},
        None,
    ),
    ("staff_exports_list", "200", "staff_exports_retrieve", {"id": f"{LIST}id"}, None),
    ("staff_exports_list", "200", "staff_exports_download_retrieve", {"id": f"{LIST}id"}, None),
    *[
        # A conversation's or a file's documents' one item: from its list's first row, and
        # from what was just written (the file's id is the request's).
        link
        for items, one, parameter in (
            ("applications_messages", "applications_messages_retrieve", "message_id"),
            ("applications_attachments", "applications_attachments_retrieve", "attachment_id"),
            ("staff_applications_messages", "staff_applications_messages_retrieve", "message_id"),
            ("me_expert_files_messages", "me_expert_files_messages_retrieve", "message_id"),
        )
        for link in (
            (
                f"{items}_list",
                "200",
                one,
                {"id": "$request.path.id", parameter: "$response.body#/0/id"},
                None,
            ),
            (
                f"{items}_create",
                "201",
                one,
                {"id": "$request.path.id", parameter: f"{CREATED}id"},
                None,
            ),
        )
    ],
    ("me_notifications_list", "200", "me_notifications_read_create", {"id": f"{LIST}id"}, None),
    ("me_expert_files_list", "200", "me_expert_files_retrieve", {"id": f"{LIST}id"}, None),
    ("me_expert_files_list", "200", "me_expert_files_messages_list", {"id": f"{LIST}id"}, None),
    ("me_expert_files_list", "200", "me_expert_files_messages_create", {"id": f"{LIST}id"}, None),
]


def _link_name(target: str) -> str:
    return "".join(part.capitalize() for part in target.split("_"))


def document_links(result, generator, request, public):
    """drf-spectacular hook: the LINKS whose two operations the schema has."""
    operations = {
        operation["operationId"]: operation
        for path in result.get("paths", {}).values()
        for operation in path.values()
    }
    for source, status, target, parameters, body in LINKS:
        if source not in operations or target not in operations:
            continue
        response = operations[source].get("responses", {}).get(status)
        if response is None:
            continue
        link = {"operationId": target, "parameters": parameters}
        if body is not None:
            link["requestBody"] = body
        response.setdefault("links", {})[_link_name(target)] = link
    return result
