-- The champion of every model: version, since when and who set it.
select model, version, set_at, actor
from model_aliases_current
where alias = 'champion'
