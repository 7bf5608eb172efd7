"""The API's groups as Swagger shows them, in order: (name, description).

Plain data, so that settings can read it; ``api_resources`` tags each path with one.
"""

API_GROUPS = [
    ("Overview", "The API root: links to every resource list, the schema and these docs."),
    ("Projects", "Tracked repositories, their tasks and their progress history."),
    ("Refreshes", "Start a refresh or a skills extraction, follow it, read a project's history."),
    ("Jobs", "Your background jobs: list, status, retry, cancel."),
    ("Skills", "Languages and technologies found in your projects."),
    (
        "Notifications",
        "Your channels (email, webhook, Slack, Discord, Teams) and their deliveries.",
    ),
    ("Queues", "Operators only: queue figures, pausing, clearing failed jobs."),
    ("API tokens", "Bearer tokens for scripts."),
]
