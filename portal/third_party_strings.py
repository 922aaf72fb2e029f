"""Third-party messages that the portal's own Persian catalogue translates.

Django looks a message up in the catalogues of LOCALE_PATHS (ours, locale/) before those of
the installed apps, so an entry in locale/fa/LC_MESSAGES/django.po with the same msgid as a
message of Django or allauth replaces that package's Persian. We use that for messages a
Persian reader sees that the package leaves in English or words differently from the portal
(e.g. «رمز عبور» where the portal says «گذرواژه»).

`makemessages --no-obsolete` keeps only the msgids it finds in our sources, so each such msgid
is written here, exactly as the package spells it (curly apostrophes included), for
makemessages to find. Nothing imports this module and nothing in it is translated at run time:
gettext_noop only marks a string, and ngettext_lazy (the marker for plural forms) is never
evaluated. When the package changes a msgid, change it here too, or the override stops applying.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

# django.contrib.auth.password_validation: the rules shown under the password field, and the
# errors. Django's Persian leaves "This password is too short…" in English and mixes
# «رمز عبور» with «گذرواژه».
DJANGO_PASSWORD_VALIDATION = (
    # Translators: third-party msgid (Django, password validation)
    gettext_noop("Your password can’t be too similar to your other personal information."),
    ngettext_lazy(
        # Translators: third-party msgid (Django, password validation)
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    # Translators: third-party msgid (Django, password validation)
    gettext_noop("Your password can’t be a commonly used password."),
    # Translators: third-party msgid (Django, password validation)
    gettext_noop("Your password can’t be entirely numeric."),
    ngettext_lazy(
        # Translators: third-party msgid (Django, password validation)
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    # Translators: third-party msgid (Django, password validation)
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    # Translators: third-party msgid (Django, password validation)
    gettext_noop("This password is too common."),
    # Translators: third-party msgid (Django, password validation)
    gettext_noop("This password is entirely numeric."),
)

# allauth: messages seen on the sign-in and phone-verification pages, whose Persian lacks the
# zero-width non-joiner and «تأیید», and leaves a +98 number to be reordered by the
# right-to-left text around it (the translation isolates it).
ALLAUTH = (
    # Translators: third-party msgid (allauth)
    gettext_noop("Too many failed login attempts. Try again later."),
    # Translators: third-party msgid (allauth)
    gettext_noop("A verification code has been sent to %(phone)s."),
)

# allauth: the rest of what citizens read on the sign-in, sign-up, code and reauthentication
# pages, whose Persian is informal («خارج شده‌ای», «وارد کنی», «لطفا صبور باشید») or writes
# «تایید» where the portal writes «تأیید».
ALLAUTH_FORMAL = (
    # Translators: third-party msgid (allauth)
    gettext_noop("Please type your current password."),
    # Translators: third-party msgid (allauth)
    gettext_noop("Be patient, you are sending too many requests."),
    # Translators: third-party msgid (allauth)
    gettext_noop("You must type the same password each time."),
    # Translators: third-party msgid (allauth)
    gettext_noop("Forgot your password?"),
    # Translators: third-party msgid (allauth)
    gettext_noop("Confirm Access"),
    # Translators: third-party msgid (allauth)
    gettext_noop("Please reauthenticate to safeguard your account."),
    # Translators: third-party msgid (allauth)
    gettext_noop("Phone Verification"),
    # Translators: third-party msgid (allauth)
    gettext_noop("Enter Phone Verification Code"),
    # Translators: third-party msgid (allauth)
    gettext_noop("Enter Sign-In Code"),
    # Translators: third-party msgid (allauth)
    gettext_noop("You have signed out."),
    # Translators: third-party msgid (allauth)
    gettext_noop("You have verified phone number %(phone)s."),
    # Translators: third-party msgid (allauth)
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    # Translators: third-party msgid (allauth)
    gettext_noop(
        "If you have not created an account yet, then please %(link)ssign up%(end_link)s first."
    ),
    # Translators: third-party msgid (allauth)
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
    # Translators: third-party msgid (allauth)
    gettext_noop("You are already logged in as %(user_display)s."),
    # Translators: third-party msgid (allauth)
    gettext_noop("Your phone number is still pending verification."),
    # Translators: third-party msgid (allauth)
    gettext_noop(
        "Your account is protected by two-factor authentication. Please enter an authenticator "
        "code:"
    ),
    # Translators: third-party msgid (allauth)
    gettext_noop("Use authenticator app or code"),
    # Translators: third-party msgid (allauth)
    gettext_noop("Unverified"),
    # Translators: third-party msgid (allauth)
    gettext_noop("Incorrect password."),
    # Translators: third-party msgid (allauth)
    gettext_noop("Enter a phone number including country code (e.g. +1 for the US)."),
)

# django.forms: the length limits, whose Persian reads «(طولش 5000 است)».
DJANGO_FORMS = (
    ngettext_lazy(
        # Translators: third-party msgid (Django, forms)
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        # Translators: third-party msgid (Django, forms)
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    # The staff list's rows, when a hand-made request claims too many or too few (Django's
    # Persian leaves them in English).
    ngettext_lazy(
        # Translators: third-party msgid (Django, formsets)
        "Please submit at most %(num)d form.",
        "Please submit at most %(num)d forms.",
        "num",
    ),
    ngettext_lazy(
        # Translators: third-party msgid (Django, formsets)
        "Please submit at least %(num)d form.",
        "Please submit at least %(num)d forms.",
        "num",
    ),
)

# django.contrib.admin: labels for screen readers on every admin page (the committee's and IT's
# pages), which Django's Persian leaves untranslated.
DJANGO_ADMIN = (
    # Translators: third-party msgid (Django admin, aria-label of the breadcrumbs)
    gettext_noop("Breadcrumbs"),
    # Translators: third-party msgid (Django admin, hidden header of the app list)
    gettext_noop("Model name"),
)

# Django's and allauth's messages whose Persian writes «می» and «ها» without the zero-width
# non-joiner («میتوانید», «مدلها», «آیتم ها») or put «های» after a plural placeholder
# («%(verbose_name_plural)s های»): tests/portal/test_translations.py finds them in every catalogue
# a page can show.
ZERO_WIDTH_NON_JOINER = (
    # Translators: third-party msgid (Django, model fields)
    gettext_noop("Ensure this value is %(limit_value)s (it is %(show_value)s)."),
    # Translators: third-party msgid (Django, model fields)
    gettext_noop("This field cannot be null."),
    # Translators: third-party msgid (Django, model fields)
    gettext_noop("This field cannot be blank."),
    # Translators: third-party msgid (Django, formsets)
    gettext_noop(
        "ManagementForm data is missing or has been tampered with. Missing fields: "
        "%(field_names)s. You may need to file a bug report if the issue persists."
    ),
    # Translators: third-party msgid (Django admin, home page)
    gettext_noop("Recent actions"),
    # Translators: third-party msgid (Django admin, home page)
    gettext_noop("My actions"),
    # Translators: third-party msgid (Django admin, after saving)
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    # Translators: third-party msgid (Django admin, after saving)
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    # Translators: third-party msgid (Django admin, after saving)
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    # Translators: third-party msgid (Django admin, actions)
    gettext_noop(
        "Items must be selected in order to perform actions on them. No items have been changed."
    ),
    # Translators: third-party msgid (Django admin, actions)
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    # Translators: third-party msgid (Django admin, actions)
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of the following "
        "objects and their related items will be deleted:"
    ),
    # Translators: third-party msgid (Django admin, deleting)
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related "
        "objects, but your account doesn't have permission to delete the following types of "
        "objects:"
    ),
    # Translators: third-party msgid (Django admin, an application's page)
    gettext_noop("Models in the %(name)s application"),
    # Translators: third-party msgid (Django admin, aria-label of the filters)
    gettext_noop("Filter navigation items"),
    # Translators: third-party msgid (Django admin, home page)
    gettext_noop(
        "Something’s wrong with your database installation. Make sure the appropriate "
        "database tables have been created, and make sure the database is readable by the "
        "appropriate user."
    ),
    # Translators: third-party msgid (Django auth, the user form in the admin)
    gettext_noop(
        "The groups this user belongs to. A user will get all permissions granted to each of "
        "their groups."
    ),
    # Translators: third-party msgid (allauth)
    gettext_noop("You cannot remove your primary email address."),
    # Translators: third-party msgid (allauth)
    gettext_noop("You cannot add more than %d email addresses."),
    # Translators: third-party msgid (allauth, its admin)
    gettext_noop("Mark selected email addresses as verified"),
    # Translators: third-party msgid (allauth)
    gettext_noop(
        "You cannot add an email address to an account protected by two-factor authentication."
    ),
    # Translators: third-party msgid (allauth)
    gettext_noop("You cannot deactivate two-factor authentication."),
)
