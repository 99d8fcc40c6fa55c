"""Who may log in to the classroom: the roster, with passwords each member sets on first login.

JupyterHub's FirstUseAuthenticator stores the password given at a name's first login (bcrypt
hashes, in the hub's private folder) and asks for it from then on. This one refuses a name that
is not on the roster before anything is stored, and says why. It suits a room where the
instructor hands out the address and students log in right away; a real deployment logs in
through the institution instead (README: "Teach a class on JupyterHub").
"""

from __future__ import annotations

from firstuseauthenticator import FirstUseAuthenticator


class RosterAuthenticator(FirstUseAuthenticator):
    async def authenticate(self, handler, data):
        name = self.normalize_username(data["username"])
        if name not in self.allowed_users | self.admin_users:
            handler.custom_login_error = (f"{name} is not on this course's roster: ask your instructor "
                                          "to add you")
            return None
        return await super().authenticate(handler, data)
