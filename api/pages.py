"""The two small pages account emails link to: confirm the email, choose a new password.

Each reads the token from its own URL in the browser and posts it to the JSON API; the server
puts nothing from the request into the page.
"""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from models.domain import Role

router = APIRouter(include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>FastShip · {title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:16px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}}
input,button{{font:inherit;padding:.5rem;width:100%;margin:.25rem 0}}</style></head>
<body><h1>{title}</h1>{form}<p id="result" role="status"></p>
<script>
const token = new URLSearchParams(location.search).get("token") || "";
const result = document.getElementById("result");
async function send(body) {{
  const response = await fetch("/api/v1/{role}/{action}", {{
    method: "POST", headers: {{"Content-Type": "application/json"}},
    body: JSON.stringify(Object.assign({{token}}, body)),
  }});
  result.textContent = response.ok ? "{done}" : (await response.json()).detail;
}}
{script}
</script></body></html>"""

_RESET_FORM = """<form id="reset"><label>New password
<input type="password" name="password" minlength="8" maxlength="128" required
 autocomplete="new-password"></label><button>Set the new password</button></form>"""
_RESET_SCRIPT = """document.getElementById("reset").addEventListener("submit", (event) => {
  event.preventDefault();
  send({password: new FormData(event.target).get("password")});
});"""


@router.get("/verify/{role}", response_class=HTMLResponse)
async def verify_page(role: Role) -> str:
    return _PAGE.format(
        title="Confirm your email",
        form="",
        role=role,
        action="verify",
        done="Your email is confirmed. You can log in now.",
        script="send({});",
    )


@router.get("/reset-password/{role}", response_class=HTMLResponse)
async def reset_password_page(role: Role) -> str:
    return _PAGE.format(
        title="Choose a new password",
        form=_RESET_FORM,
        role=role,
        action="reset-password",
        done="Your password is changed, and every earlier session ended. Log in again.",
        script=_RESET_SCRIPT,
    )
