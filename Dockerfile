FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN useradd --create-home duos
# The production lock: no laptop or test package in the image.
COPY requirements/production.txt requirements/
RUN pip install --no-cache-dir -r requirements/production.txt
COPY . .
RUN pip install --no-cache-dir --no-deps .
RUN python tools/compile_messages.py \
 && DEBUG=true python manage.py collectstatic --noinput --verbosity 0 \
 && chown -R duos /app/var
USER duos
EXPOSE 8000
# Workers and threads: gunicorn.conf.py (two gthread workers of eight threads, README.md "Load
# test" says why); each thread keeps its database connection for a minute.
ENV CONN_MAX_AGE=60
CMD ["gunicorn", "duos.wsgi", "-c", "gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
