# The two commands of the README. Everything else is in scripts/.
.PHONY: run test messages

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

# Refresh the translation catalogues from the code and compile them (then translate what is new).
.PHONY: messages
messages:
	DEBUG=true .venv/bin/python manage.py makemessages -l vi -l en --ignore=.venv --ignore=var --ignore=bench --ignore=tests --ignore=node_modules --no-obsolete
	msgattrib --untranslated --no-obsolete locale/vi/LC_MESSAGES/django.po | grep -A1 '^msgid' || true
	DEBUG=true .venv/bin/python manage.py compilemessages --ignore=.venv -v 0
