"""Redis and the SMTP sink: started when their URL is unset, handed to the services, stopped."""

import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

import redis
from conftest import alive, make_stack, stand_in

from tb_devstack.backing import BACKING, REDIS, SMTP_SINK


def test_redis_and_the_smtp_sink_start_serve_and_stop_with_the_stack(root, postgres_url):
    service = stand_in("first-service", root)
    with make_stack(root, service, backing=BACKING, DATABASE_URL=postgres_url) as stack:
        redis_url, smtp_url = stack._env["REDIS_URL"], stack._env["SMTP_URL"]
        # The services are started with both URLs in their environment.
        assert stack.running[-1].service.name == "first-service"
        assert redis.Redis.from_url(redis_url).ping() is True

        smtp = urlsplit(smtp_url)
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@b.test", "c@d.test", "Receipt"
        message.set_content("Paid in full.")
        with smtplib.SMTP(smtp.hostname or "", smtp.port or 0) as client:
            client.send_message(message)
        mailbox = root / ".data" / "smtp-sink" / "new"
        (mail,) = mailbox.iterdir()
        assert "Subject: Receipt" in mail.read_text()

        banner = stack.banner()
        assert redis_url in banner
        assert smtp_url in banner
        assert "smtp-sink/new" in banner
        backing = [r.process for r in stack.running if r.role == "backing"]
        assert len(backing) == 2
    assert not any(alive(process.pid) for process in backing)
    assert stack.stop_problems == []


def test_a_url_from_the_environment_is_used_and_nothing_is_started(root, postgres_url):
    with make_stack(
        root,
        stand_in("first-service", root),
        backing=(REDIS, SMTP_SINK),
        DATABASE_URL=postgres_url,
        REDIS_URL="redis://127.0.0.1:6379/0",
        SMTP_URL="smtp://127.0.0.1:2525",
    ) as stack:
        assert [r.role for r in stack.running] == ["server"]
        assert stack._env["REDIS_URL"] == "redis://127.0.0.1:6379/0"
        assert "from the environment" in stack.banner()


def test_workers_run_beside_their_server_and_stop_first(root, postgres_url):
    worker_pid = root / "worker.pid"
    worker = (
        "python3",
        "-c",
        f"import os, time; open({str(worker_pid)!r}, 'w').write(str(os.getpid())); time.sleep(60)",
    )
    service = stand_in("first-service", root, worker=worker)
    with make_stack(root, service, DATABASE_URL=postgres_url, PATH="/usr/bin:/bin") as stack:
        assert [r.role for r in stack.running] == ["server", "worker"]
        assert "first-service worker" in [r.name for r in stack.running]
        process = stack.running[-1].process
        assert process.poll() is None
    assert process.poll() is not None
