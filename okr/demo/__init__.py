"""The demo organization: ``builder`` builds it, ``words`` holds its word lists."""

from okr.demo.builder import (
    BATCH,
    DEMO_PASSWORD,
    DemoExists,
    DemoReport,
    admin_email,
    demo_domain,
    manager_email,
    member_email,
    plan,
    quarter_of,
    remove_demo,
    seed_demo,
)

__all__ = [
    "BATCH",
    "DEMO_PASSWORD",
    "DemoExists",
    "DemoReport",
    "admin_email",
    "demo_domain",
    "manager_email",
    "member_email",
    "plan",
    "quarter_of",
    "remove_demo",
    "seed_demo",
]
