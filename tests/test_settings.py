import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x" * 30 + "una-clave-de-produccion-larga-y-aleatoria-2026",
    "FIELD_ENCRYPTION_KEY": "clave-de-cifrado-de-produccion",
    "ALLOWED_HOSTS": "redes.example.gov.co",
    "DATABASE_URL": "sqlite:///:memory:",
}


def _manage(*args, env):
    dropped = ("SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PROD_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_passes_check_deploy_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_bad_boolean_in_environment_fails_loudly():
    result = _manage("check", env={**PROD_ENV, "EMAIL_USE_TLS": "quizás"})
    assert result.returncode != 0
    assert "EMAIL_USE_TLS" in result.stderr
